"""The static site: built by MkDocs into a fresh release folder, then published by one atomic symlink swap."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildError, KbError
from .renderer import mkdocs_config
from .settings import Settings

KEEP_RELEASES = 3
STAMP = ".kb-build"


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


def built_at(settings: Settings) -> float | None:
    """Given settings, return when the live site was built, or None when there is none."""
    stamp = settings.site_dir / STAMP
    return stamp.stat().st_mtime if stamp.is_file() else None


def is_stale(settings: Settings) -> bool:
    """Given settings, return True when the live site is missing or older than its sources."""
    when = built_at(settings)
    return when is None or when < source_mtime(settings)


def build_release(settings: Settings) -> Path:
    """Given settings, build the site strictly into a new release folder and return it (not yet live)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    releases = settings.build_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    target = releases / f"site-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    try:
        from .analyzer import prime_jieba
        from .lexicon import load_lexicon

        prime_jieba(load_lexicon(settings.data_dir))  # one dictionary load for site and index
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
        log.removeHandler(handler)
    (target / STAMP).write_text(time.strftime("%Y-%m-%dT%H:%M:%S"), encoding="utf-8")
    return target


def activate_release(settings: Settings, release: Path) -> None:
    """Given a built release folder, make it the live site in one atomic step, keeping a few old ones."""
    site = settings.site_dir
    if site.exists() and not site.is_symlink():
        # A plain `mkdocs build` left a real folder: move it aside so the swap can be atomic.
        site.rename(release.parent / f"legacy-{time.monotonic_ns()}")
    tmp_link = site.with_name(f".{site.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(release, target_is_directory=True)
    os.replace(tmp_link, site)
    old = sorted(p for p in release.parent.iterdir() if p != release)
    for stale in old[: max(0, len(old) - (KEEP_RELEASES - 1))]:
        shutil.rmtree(stale, ignore_errors=True)


def build_site(settings: Settings) -> Path:
    """Given settings, build the site and make it live; on failure the live site is untouched."""
    release = build_release(settings)
    activate_release(settings, release)
    return release
