"""Shared fixtures: temporary copies of the help center, a built site, Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What a checkout needs to check, build and index the help center.
PROJECT_FILES = ("mkdocs.yml", "pyproject.toml", "docs", "overrides", "scripts", "search/data")


def copy_project(dest: Path) -> Settings:
    """Given an empty folder, copy the help center's content and config into it; return its Settings."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / name)
    return load_settings(dest)


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A private, writable copy of the help center (docs, config, hooks)."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the help center whose site has been built once for the session (read-only use)."""
    from search.site import build_site

    settings = copy_project(tmp_path_factory.mktemp("built"))
    build_site(settings)
    return settings


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def static_site(built_project: Settings) -> Iterator[str]:
    """The built site served by a plain static file server (no search API): its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_project.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skipped with a reason outside CI when it is missing."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must apt-get install chromium")
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page that records console errors in `page.console_errors`."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture(scope="session")
def indexed_project(built_project: Settings) -> Settings:
    """The session's built copy with its search index built too (read-only use)."""
    from search import build_index

    build_index(built_project)
    return built_project


def eventually(check, timeout: float = 10.0, interval: float = 0.1):
    """Call check() until it returns something truthy; return that, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s: {check.__name__}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
                raise RuntimeError(
                    f"kb serve exited: {self.log_path.read_text('utf-8', 'replace')}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"kb serve did not start: {self.log_path.read_text('utf-8', 'replace')}")

    def logs(self) -> str:
        self._log.flush()
        return self.log_path.read_text("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def live_server(
    indexed_project: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The session's help center served by `kb serve` (site + API) in a real uvicorn process."""
    server = LiveServer(indexed_project, tmp_path_factory.mktemp("logs") / "serve.log")
    yield server
    server.stop()


def _postgres_missing(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why} in CI: .ci/run must install postgresql and start a cluster")
    pytest.skip(f"PostgreSQL tests need a server: {why} (run .ci/run, or set KB_TEST_POSTGRES)")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server named by KB_TEST_POSTGRES; dropped after."""
    server = os.environ.get("KB_TEST_POSTGRES")
    if not server:
        _postgres_missing("KB_TEST_POSTGRES is not set")
    import uuid

    import psycopg

    name = f"kb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield f"{server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_postgres() -> Iterator[tuple[Path, str]]:
    """A PostgreSQL cluster of this test's own (it may stop it): (its folder, its URL)."""
    import tempfile

    from tests import postgres

    if postgres.binaries() is None:
        _postgres_missing("Debian's postgresql package is not installed")
    folder = Path(
        tempfile.mkdtemp(prefix="kb-pg-")
    )  # not under pytest's 0700 tmp: the server user reads it
    url = postgres.start(folder)
    yield folder, url
    postgres.stop(folder, "immediate")
    shutil.rmtree(folder, ignore_errors=True)
