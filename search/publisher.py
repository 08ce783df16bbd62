"""`kb publish`: check → build → index → go live, all or nothing."""

from __future__ import annotations

import shutil
import time

from .checker import check
from .contracts import PublishResult
from .errors import PublishBusy
from .lockfile import exclusive
from .page import load_pages
from .settings import Settings
from .site import activate_release, build_release


def publish(settings: Settings) -> PublishResult:
    """Given settings, check the content, build the site and update the index, then make both live.

    A failure at any step leaves the live site and index exactly as they were: the site is built
    into a fresh release folder, the index is updated by Whoosh's atomic commit, and only then
    does the `site/` symlink move to the new release.
    """
    from . import build_index

    started = time.perf_counter()
    with exclusive(settings.build_dir / "publish.lock", PublishBusy("另一个 kb publish 正在运行")):
        pages = load_pages(
            settings.docs_dir, settings.mkdocs_yml
        )  # parsed once: checked, then indexed
        warnings = check(settings, pages=pages)
        release = build_release(settings)
        try:
            index = build_index(settings, pages=pages)
        except BaseException:
            shutil.rmtree(release, ignore_errors=True)
            raise
        activate_release(settings, release)
    return PublishResult(
        release=str(release),
        index=index,
        warnings=[str(w) for w in warnings],
        seconds=round(time.perf_counter() - started, 2),
    )
