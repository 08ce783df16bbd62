"""`kb publish`: check → build → index → go live, all or nothing, in one switch."""

from __future__ import annotations

import time
from collections.abc import Callable

from .checker import check
from .contracts import PublishResult
from .errors import PublishBusy
from .indexer import documents, index_release, update_index
from .page import load_pages
from .settings import Settings
from .site import activate_release, build_site_into, discard_release, new_release, release_lock

# What `progress` is told, in order: the stages of a publish.
STAGES = ("check", "build", "index", "live")


def publish(
    settings: Settings, progress: Callable[[str], None] | None = None, *, checked: bool = True
) -> PublishResult:
    """Given settings, check the content, build the site and its index into a new release, then make it live.

    The site and the index of the same docs are built side by side in a release folder that is
    not live; moving the one `site` pointer to it publishes both at once. A failure or a kill at
    any stage leaves the live release as it was. `progress` is called with each stage's name as
    it starts; `checked=False` skips `kb check` (for `kb serve` building what is missing).
    """
    say = progress or (lambda stage: None)
    started = time.perf_counter()
    with release_lock(settings, PublishBusy("另一个 kb publish 正在运行")):
        warnings = []
        pages = load_pages(settings.docs_dir, settings.mkdocs_yml)  # parsed once: checked, indexed
        if checked:
            say("check")
            warnings = check(settings, pages=pages)
        say("build")
        release = new_release(settings)
        try:
            build_site_into(settings, release)
            say("index")
            docs = documents(settings, pages)
            if settings.index_pinned:  # a tool's own index folder: updated in place
                index = update_index(settings.index_dir, settings.data_dir, docs)
            else:
                index = index_release(settings, release, docs)
            say("live")
            activate_release(settings, release)
        except BaseException:
            discard_release(release)
            raise
    return PublishResult(
        release=str(release),
        index=index,
        warnings=[str(w) for w in warnings],
        seconds=round(time.perf_counter() - started, 2),
    )
