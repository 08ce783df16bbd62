"""`kb serve`: make sure the site and index are current, then run the ASGI app on uvicorn."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable

from .engine import index_info
from .errors import IndexCorrupt, IndexMissing
from .indexer import build_index
from .publisher import publish
from .settings import Settings
from .site import SITE, built_at, is_stale, live_index_dir, live_release


def ensure_built(settings: Settings, progress: Callable[[str], None] | None = None) -> list[str]:
    """Given settings, build the site and update the index when missing, damaged or older than docs/; return what was done.

    `progress` is told, in Chinese, what is about to take a while (the first build takes ~30 s).
    """
    say = progress or (lambda message: None)
    if is_stale(settings):
        say("正在构建站点和搜索索引（MkDocs；第一次约需半分钟）…")
        publish(settings, checked=False)  # site and index together, in a new release
        return ["site", "index"]
    release = live_release(settings)
    site_time = (release / SITE).stat().st_mtime if release else (built_at(settings) or 0)
    try:
        index_info(settings)
        fresh = live_index_dir(settings).stat().st_mtime >= site_time
    except (IndexMissing, IndexCorrupt):
        fresh = False  # build_index rebuilds a damaged index in full
    if fresh:
        return []
    say("正在建立搜索索引…")
    build_index(settings)
    return ["index"]


def log_config() -> dict:
    """Return uvicorn's logging config plus the app's loggers (kb.*: access, errors, analytics…).

    uvicorn's own access log is off: its line would carry the raw query; ours is redacted.
    """
    from uvicorn.config import LOGGING_CONFIG

    from .eventwriter import LOG_FORMAT

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["kb"] = {"()": "search.middleware.SafeFormatter", "format": LOG_FORMAT}
    config["handlers"]["kb"] = {
        "class": "logging.StreamHandler",
        "formatter": "kb",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["kb"] = {"handlers": ["kb"], "level": "INFO", "propagate": False}
    return config


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Given settings, serve site and API until interrupted (each worker loads the same read-only index)."""
    import uvicorn

    from .analytics import prepare

    try:
        prepare(settings.analytics_store)  # the schema before any worker records into it
    except Exception as e:  # analytics never keep search from starting: the writer retries
        logging.getLogger("kb.analytics").warning(
            "analytics: schema not ready (%s)", type(e).__name__
        )

    # The hand-off to uvicorn's workers: each is a fresh process that calls load_settings(), so
    # these Settings travel in the KB_* environment. The only place the library writes it.
    os.environ.update(settings.environ())
    uvicorn.run(
        "search.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="search.protocol:Connection",  # httptools with a bounded, timed request head
        timeout_keep_alive=5,
        # A worker loads jieba's dictionary and the index before it answers: on a busy machine
        # that can take longer than uvicorn's 5 s health check, which would kill it and retry.
        timeout_worker_healthcheck=30,
        # X-Forwarded-For is believed only from proxies named in settings (uvicorn's default
        # trusts 127.0.0.1, so any local client could pick its own rate-limit key).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or "",
        access_log=False,  # uvicorn's line would carry the raw query: ours is redacted
        log_config=log_config(),
        server_header=False,
    )
