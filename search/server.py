"""`kb serve`: make sure the site and index are current, then run the ASGI app on uvicorn."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable

from .settings import Settings
from .site import build_site, built_at, is_stale


def ensure_built(settings: Settings, progress: Callable[[str], None] | None = None) -> list[str]:
    """Given settings, build the site and update the index when missing or older than docs/; return what was done.

    `progress` is told, in Chinese, what is about to take a while (the first build takes ~30 s).
    """
    from . import build_index, index_info
    from .errors import IndexMissing

    say = progress or (lambda message: None)
    done = []
    if is_stale(settings):
        say("正在构建站点（MkDocs；第一次约需半分钟）…")
        build_site(settings)
        done.append("site")
    try:
        index_info(settings)
        index_fresh = settings.index_dir.stat().st_mtime >= (built_at(settings) or 0)
    except IndexMissing:
        index_fresh = False
    if not index_fresh or "site" in done:
        say("正在建立搜索索引…")
        build_index(settings)
        done.append("index")
    return done


def log_config() -> dict:
    """Return uvicorn's logging config plus the app's redacted access log (uvicorn's own is off)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["kb"] = {"format": "%(asctime)s %(name)s %(message)s"}
    config["handlers"]["kb"] = {
        "class": "logging.StreamHandler",
        "formatter": "kb",
        "stream": "ext://sys.stderr",
    }
    for name in ("kb.access", "kb.error"):
        config["loggers"][name] = {"handlers": ["kb"], "level": "INFO", "propagate": False}
    return config


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Given settings, serve site and API until interrupted (each worker loads the same read-only index)."""
    import uvicorn

    # The hand-off to uvicorn's workers: each is a fresh process that calls load_settings(), so
    # these Settings travel in the KB_* environment. The only place the library writes it.
    os.environ.update(settings.environ())
    uvicorn.run(
        "search.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # uvicorn's line would carry the raw query: ours is redacted
        log_config=log_config(),
        server_header=False,
    )
