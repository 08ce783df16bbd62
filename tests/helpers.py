"""Test helpers: copies of a help center to change, editing a page, waiting, a live `kb serve`.

Two help centers can be copied:

- the **fixture** (`tests/fixtures/helpcenter/`, the default): frozen pages, catalogue and word
  lists. Every test that edits, breaks, publishes or searches docs uses it, so an editor
  rewording `docs/` never fails an engineering test.
- the **real** checkout (`real=True`): only for tests that check the real pages themselves
  (`kb check` passes, every catalogue id is an anchor, the evaluation gate, the pages in Chromium).

Either copy takes the code from this checkout (pyproject.toml, mkdocs.yml, overrides/, the MkDocs
hooks, docs/assets/), so the tests always exercise today's code.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from scripts.chromium import ARGS as CHROMIUM_ARGS
from scripts.chromium import EXECUTABLE as CHROMIUM
from search.settings import Settings, load_settings
from search.site import COMPLETE, INDEX, SITE, live_release

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "CLIPBOARD",
    "FIXTURE",
    "ROOT",
    "VIEWPORT",
    "LiveServer",
    "Tab",
    "answers_shown",
    "conforms",
    "copy_built",
    "copy_project",
    "edit",
    "eventually",
    "free_port",
    "open_served",
    "run_kb",
]

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "helpcenter"
# What every copy takes from this checkout: configuration and code, never pages or word lists.
CODE = ("pyproject.toml", "overrides", "scripts", "docs/assets")
# …and what a copy of the real help center takes besides.
REAL_CONTENT = ("mkdocs.yml", "docs", "search/data")
# The top-level `nav:` block: its key line and every following indented, list or blank line.
_NAV = re.compile(r"^nav:[^\n]*\n(?:(?:[ \t-][^\n]*|)\n)*", re.M)

T = TypeVar("T")
# A new page's size in the browser tests: a laptop screen.
VIEWPORT = {"width": 1280, "height": 900}
# What a page needs to copy an answer or a link and to read back what it copied.
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def fixture_mkdocs_yml() -> str:
    """Return this checkout's mkdocs.yml with its `nav:` replaced by the fixture's nav.yml."""
    real = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav_items = [
        line
        for line in (FIXTURE / "nav.yml").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    nav = "nav:\n" + "".join(f"  {line}\n" for line in nav_items)
    if _NAV.search(real):
        return _NAV.sub(lambda _: nav, real, count=1)
    return real.rstrip("\n") + "\n\n" + nav


def copy_project(dest: Path, *, real: bool = False) -> Settings:
    """Given an empty folder, copy a help center into it (the fixture, or the real one); return its Settings."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CODE:
        _copy(ROOT / name, dest / name)
    if real:
        for name in REAL_CONTENT:
            _copy(ROOT / name, dest / name)
    else:
        _copy(FIXTURE / "docs", dest / "docs")
        _copy(FIXTURE / "search" / "data", dest / "search" / "data")
        (dest / "mkdocs.yml").write_text(fixture_mkdocs_yml(), encoding="utf-8")
    return load_settings(dest)


def copy_built(dest: Path, built: Settings) -> Settings:
    """Given an empty folder and a built (maybe indexed) fixture help center, return a writable copy
    of it with its live release (site and index) as it is: what a publish would have left, in
    milliseconds."""
    settings = copy_project(dest)
    release = live_release(built)
    assert release is not None, "copy_built needs a help center built by kb (a release)"
    target = settings.build_dir / "releases" / release.name
    _copy(release, target)
    if not (target / INDEX).is_dir() and built.index_dir.is_dir():
        _copy(built.index_dir, target / INDEX)  # an index built apart (a pinned index folder)
    settings.site_dir.symlink_to(target / SITE, target_is_directory=True)
    now = time.time()  # the copied pages are newer files than the copied build: it is current
    os.utime(target / COMPLETE, (now, now))
    if (target / INDEX).is_dir():
        os.utime(target / INDEX, (now, now))
    return settings


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in path with `new`; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"text to edit not found in {path}: {old!r}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def eventually(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call check() until it returns something truthy; return that, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s: {check.__name__}")
        time.sleep(interval)


def open_served(page: Any, url: str) -> Any:
    """Open a page `kb serve` serves once it has loaded and the header search has taken over
    (body.kb-api): what waiting for networkidle gave, without its fixed 0.5 s of quiet. Return
    the response."""
    response = page.goto(url, wait_until="load")
    page.locator("body.kb-api").wait_for(state="attached")
    return response


def answers_shown(page: Any) -> None:
    """Wait until the header search shows the answers to what was typed ("找到 …").

    Completions come while typing and the answers replace them once it pauses: a click or an
    arrow key before then can land on a completion as it is replaced (it once opened /return/
    instead of the answer under the pointer)."""
    page.locator(".kb-search-result .md-search-result__meta", has_text="找到").wait_for()


class Tab:
    """One browser page that many tests use in turn, each given it as a new page would be.

    A new context and page cost Chromium about 0.4 s of CPU on this machine, and their first
    page load as much again: several times what a visit in an open page costs. So the tests of
    a module take turns in one page, and `fresh()` clears what a test could leave behind.
    A test that installs a clock takes a page of its own (`page`): a clock cannot be undone.
    Listeners a test adds stay, but only feed that test's own lists."""

    def __init__(self, browser: Any, **options: Any):
        """Open the page in a context of its own (Playwright's new_context options may be added)."""
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", **options)
        self.page = self.context.new_page()
        self._devtools = self.context.new_cdp_session(self.page)
        self.page.console_errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.page.console_errors.append(str(e)))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.page.console_errors.append(message.text)

    def fresh(self) -> Any:
        """Return the page with nothing of the last test left: no page open, no routes, cookies,
        permissions, stored data or cached files, the default size, no console errors."""
        page = self.page
        page.unroute_all(behavior="ignoreErrors")
        origins = {o["origin"] for o in self.context.storage_state()["origins"]}
        page.goto("about:blank")
        for origin in origins:  # local storage, IndexedDB, caches, service workers
            self._devtools.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
        # Its first visit loads everything, as a new page's does; later ones use the cache.
        self._devtools.send("Network.clearBrowserCache")
        self.context.clear_cookies()
        self.context.clear_permissions()
        if page.viewport_size != VIEWPORT:
            page.set_viewport_size(VIEWPORT)
        page.emulate_media(  # "null" ends the emulation: the browser's own light, motion allowed
            media="null",
            color_scheme="null",
            reduced_motion="null",
            forced_colors="null",
            contrast="null",
        )
        page.console_errors = []
        return page

    def close(self) -> None:
        """Close the page and its context."""
        self.context.close()


def conforms(value: Any, shape: Any, where: str = "result") -> list[str]:
    """Given a value and a type from search.contracts, return how the value differs from it (empty: it fits)."""
    if is_typeddict(shape):
        if not isinstance(value, dict):
            return [f"{where} is not an object"]
        hints = get_type_hints(shape)
        out = [f"{where}.{k} is missing" for k in sorted(shape.__required_keys__) if k not in value]
        out += [f"{where}.{k} is not in {shape.__name__}" for k in value if k not in hints]
        for key in hints.keys() & value.keys():
            out += conforms(value[key], hints[key], f"{where}.{key}")
        return out
    origin, args = get_origin(shape), get_args(shape)
    if args and type(None) in args:
        return (
            []
            if value is None
            else conforms(value, next(a for a in args if a is not type(None)), where)
        )
    if origin is list:
        return (
            [f"{where} is not a list"]
            if not isinstance(value, list)
            else [
                e for i, item in enumerate(value) for e in conforms(item, args[0], f"{where}[{i}]")
            ]
        )
    if origin is dict:
        return (
            [f"{where} is not an object"]
            if not isinstance(value, dict)
            else [e for k, item in value.items() for e in conforms(item, args[1], f"{where}.{k}")]
        )
    fits = (
        isinstance(value, int | float) and not isinstance(value, bool)
        if shape is float
        else (type(value) is shape)
    )
    return [] if fits else [f"{where} = {value!r} is not {shape.__name__}"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_kb(
    settings: Settings, *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Given a help center, `kb` arguments and its whole environment, run `kb` as a fresh process; return how it went."""
    return subprocess.run(
        [sys.executable, "-m", "search.cli", "--root", str(settings.root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
    )


class LiveServer:
    """`kb serve` running in a subprocess on a free port, its stderr (the logs) kept in a file."""

    def __init__(
        self,
        settings: Settings,
        log_path: Path,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ):
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "search.cli",
                "--root",
                str(settings.root),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kb serve exited: {self.logs()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"kb serve did not start: {self.logs()}")

    def logs(self) -> str:
        """Return what the server has logged so far."""
        self._log.flush()
        return self.log_path.read_text("utf-8", "replace")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s) and close its log."""
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
