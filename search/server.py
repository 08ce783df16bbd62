"""`kb serve`: make sure the site and index are current, then run the ASGI app on uvicorn."""

from __future__ import annotations

import copy
import logging
import os

from .engine import index_info
from .errors import IndexCorrupt, IndexMissing
from .indexer import build_index
from .publisher import publish
from .settings import Settings
from .site import SITE, built_at, is_stale, live_index_dir, live_release


def ensure_built(settings: Settings) -> list[str]:
    """Given settings, build the site and update the index when missing, damaged or older than docs/; return what was done."""
    if is_stale(settings):
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

    # The hand-off to uvicorn's workers: each one loads its Settings from this environment.
    os.environ["KB_ROOT"] = str(settings.root)
    for key, value in (
        ("KB_SITE_DIR", settings.site_dir),
        ("KB_DOCS_DIR", settings.docs_dir),
        ("KB_BUILD_DIR", settings.build_dir),
        ("KB_ANALYTICS_DB", settings.analytics_url or settings.analytics_db),
        ("KB_TRUSTED_PROXIES", settings.trusted_proxies),
        ("KB_PUBLIC_HOSTS", settings.public_hosts),
        ("KB_MAX_HEAD_BYTES", settings.max_head_bytes),
        ("KB_HEAD_SECONDS", settings.head_seconds),
        ("KB_SEARCH_THREADS", settings.search_threads),
        ("KB_SEARCH_PER_MINUTE", settings.search_per_minute),
        ("KB_ANALYTICS_KEEP_DAYS", settings.analytics_keep_days),
    ):
        os.environ[key] = str(value)
    if settings.index_pinned:
        os.environ["KB_INDEX_DIR"] = str(settings.index_dir)
    uvicorn.run(
        "search.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="search.protocol:Connection",  # httptools with a bounded, timed request head
        timeout_keep_alive=5,
        # X-Forwarded-For is believed only from proxies named in settings (uvicorn's default
        # trusts 127.0.0.1, so any local client could pick its own rate-limit key).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or "",
        access_log=False,  # uvicorn's line would carry the raw query: ours is redacted
        log_config=log_config(),
        server_header=False,
    )
