"""The static site and its releases: each release holds a built site and the search index made with it.

A release is a folder `_build/releases/<name>/` with `site/` (the MkDocs build), `index/` (the
search index of the same docs) and `complete` (written last). The `site` symlink points at the
live release's `site/`; servers follow that one pointer to the index too, so moving it publishes
both at once, and a build killed at any point leaves the live release as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from .assets import fingerprint
from .compression import precompress
from .errors import BuildError, KbError, PublishBusy
from .lockfile import exclusive
from .renderer import mkdocs_config
from .settings import Settings

KEEP_RELEASES = 3  # the live one and the two before it
SITE, INDEX, COMPLETE = "site", "index", "complete"
# Where the build running in this process keeps compiled templates (see template_cache).
_TEMPLATES: list[Path | None] = [None]
LEGACY_STAMP = ".kb-build"  # inside site folders built before releases held their index


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _in_dir(path: Path) -> Iterator[None]:
    # Material resolves search.jieba_dict_user from the working directory.
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_inputs(settings: Settings) -> list[Path]:
    """Given settings, return the files and folders a site build reads: mkdocs.yml, docs/, the
    editor data (jieba's word list), the theme overrides and the MkDocs hooks it names."""
    try:
        config = mkdocs_config(settings.mkdocs_yml)
    except KbError:
        config = {}  # the build will say what is wrong with mkdocs.yml; count the defaults
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    hooks = config.get("hooks") if isinstance(config.get("hooks"), list) else []
    return [
        settings.mkdocs_yml,
        settings.docs_dir,
        settings.data_dir,
        settings.root / str(theme.get("custom_dir") or "overrides"),
        *(settings.root / str(hook) for hook in hooks),
    ]


def source_mtime(settings: Settings) -> float:
    """Given settings, return the newest modification time of anything the site is built from."""
    times = [settings.mkdocs_yml.stat().st_mtime]
    for source in build_inputs(settings):
        if source.is_file():
            times.append(source.stat().st_mtime)
        elif source.is_dir():
            times += [p.stat().st_mtime for p in source.rglob("*") if p.is_file()]
    return max(times)


def release_lock(settings: Settings, busy: KbError | None = None) -> AbstractContextManager[None]:
    """Hold the lock every command that makes a release takes (publish, build, index); `busy` if held."""
    busy = busy or PublishBusy("另一个 kb publish / kb build / kb index 正在运行")
    return exclusive(settings.build_dir / "publish.lock", busy)


def live_release(settings: Settings) -> Path | None:
    """Given settings, return the release folder the `site` pointer leads to (None: no release)."""
    try:
        target = Path(os.readlink(settings.site_dir))
    except OSError:  # no site yet, or a plain folder from `mkdocs build`
        return None
    target = target if target.is_absolute() else settings.site_dir.parent / target
    return target.parent if target.name == SITE else None  # else an old-layout release


def live_index_dir(settings: Settings) -> Path:
    """Given settings, return the index folder searches use now: the live release's, else `index_dir`.

    An `index_dir` set explicitly (KB_INDEX_DIR: evaluation and benchmarks) is always used as is.
    """
    release = None if settings.index_pinned else live_release(settings)
    return settings.index_dir if release is None else release / INDEX


def built_at(settings: Settings) -> float | None:
    """Given settings, return when the live site was built, or None when there is none."""
    release = live_release(settings)
    if release is not None:
        stamp = release / COMPLETE
        return stamp.stat().st_mtime if stamp.is_file() and (release / SITE).is_dir() else None
    legacy = settings.site_dir / LEGACY_STAMP
    return legacy.stat().st_mtime if legacy.is_file() else None


def is_stale(settings: Settings) -> bool:
    """Given settings, return True when the live site is missing or older than its sources."""
    when = built_at(settings)
    return when is None or when < source_mtime(settings)


def new_release(settings: Settings) -> Path:
    """Given settings, return a new, empty release folder (not live, not complete)."""
    releases = settings.build_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    folder = releases / f"r-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    folder.mkdir()
    return folder


def template_cache():
    """Return a Jinja bytecode cache for the build running in this process, or None outside kb.

    Material's templates are the same from build to build: compiling them is about a second of
    every publish. Jinja keys each entry by the template's source, so an edited template (e.g.
    in overrides/) is compiled again.
    """
    from jinja2 import FileSystemBytecodeCache

    folder = _TEMPLATES[0]
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


def build_site_into(settings: Settings, release: Path) -> Path:
    """Given a release folder, build the site strictly into its `site/` and return that folder."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    target = release / SITE
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    try:
        from .analyzer import prime_jieba
        from .lexicon import load_lexicon

        prime_jieba(load_lexicon(settings.data_dir))  # one dictionary load for site and index
        _TEMPLATES[0] = settings.build_dir / "cache" / "templates"
        with _in_dir(settings.root):
            from mkdocs.commands.build import build

            config = load_config(
                str(settings.mkdocs_yml),
                docs_dir=str(settings.docs_dir),
                site_dir=str(target),
                strict=True,
            )
            build(config)
    except (MkDocsException, OSError, SystemExit) as e:
        shutil.rmtree(target, ignore_errors=True)
        details = "；".join(handler.messages[-5:]) or str(e)
        raise BuildError(
            f"站点构建失败：{details}", "先运行 kb check 修好内容；线上站点保持不变"
        ) from e
    finally:
        _TEMPLATES[0] = None
        log.removeHandler(handler)
    fingerprint(target)  # our scripts and styles under content-hashed names: cacheable forever
    precompress(target)  # last: every file it compresses is final
    return target


def link_live_site(settings: Settings, release: Path) -> None:
    """Given a new release, give it the live site's files (hard links: no copy, and never shared writes)."""
    live = live_release(settings)
    if live is not None and (live / SITE).is_dir():
        shutil.copytree(live / SITE, release / SITE, copy_function=os.link, symlinks=True)


def carry_index(settings: Settings, release: Path) -> None:
    """Given a new release, give it a copy of the index served now (when there is one to carry)."""
    served = live_index_dir(settings)
    if not settings.index_pinned and served.is_dir():
        shutil.copytree(served, release / INDEX, ignore=shutil.ignore_patterns("*.lock", "*LOCK"))


def activate_release(settings: Settings, release: Path) -> None:
    """Given a finished release, mark it complete and make it live in one atomic step; prune old ones."""
    (release / COMPLETE).write_text(time.strftime("%Y-%m-%dT%H:%M:%S"), encoding="utf-8")
    site = settings.site_dir
    if site.exists() and not site.is_symlink():
        # A plain `mkdocs build` left a real folder: move it aside so the swap can be atomic.
        site.rename(release.parent / f"legacy-{time.monotonic_ns()}")
    tmp_link = site.with_name(f".{site.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(release / SITE, target_is_directory=True)
    os.replace(tmp_link, site)
    prune_releases(settings, release)


def prune_releases(settings: Settings, live: Path) -> None:
    """Given the live release, delete unfinished releases and all but the newest finished ones.

    Call with the release lock held: then no other process is building one of them.
    """
    finished = []
    for folder in sorted(live.parent.iterdir()):
        if folder == live or not folder.is_dir():
            continue
        if (folder / COMPLETE).is_file() or (folder / LEGACY_STAMP).is_file():
            finished.append(folder)
        else:  # a build that was killed or failed: never a "previous release"
            shutil.rmtree(folder, ignore_errors=True)
    for old in finished[: max(0, len(finished) - (KEEP_RELEASES - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def discard_release(release: Path) -> None:
    """Given a release that will not go live, delete it."""
    shutil.rmtree(release, ignore_errors=True)


def build_site(settings: Settings) -> Path:
    """Given settings, build the site into a new release carrying the served index, and make it live.

    Returns the release's site folder. On failure the live release is untouched.
    """
    with release_lock(settings):
        release = new_release(settings)
        try:
            build_site_into(settings, release)
            carry_index(settings, release)
            activate_release(settings, release)
        except BaseException:
            discard_release(release)
            raise
    return release / SITE
