"""亚马逊海外购帮助中心 library: content checks, site build, Chinese FAQ search, publishing.

The public surface is what this module exports; the CLI (`search.cli`) and the HTTP API
(`search.api`) are thin adapters over it. Heavy modules (Whoosh, jieba, MkDocs) load lazily,
so `kb check` starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import (
    BadQuery,
    BuildError,
    ContentError,
    IndexBusy,
    IndexMissing,
    KbError,
    Problem,
    PublishBusy,
    UnknownCategory,
)
from .settings import Settings, load_settings

_LAZY = {
    "check": "checker",
    "find_problems": "checker",
    "build_site": "site",
    "live_index_dir": "site",
    "load_pages": "page",
    "build_index": "indexer",
    "search": "engine",
    "suggest": "engine",
    "index_info": "engine",
    "warm": "engine",
    "Engine": "engine",
    "engine_for": "engine",
    "close_engines": "engine",
    "ensure_built": "server",
    "serve": "server",
    "redact": "redaction",
    "new_page": "scaffold",
    "publish": "publisher",
    "report": "analytics",
    "gaps": "gaps",
    "add_editor": "editors",
    "remove_editor": "editors",
    "list_editors": "editors",
}

__all__ = [
    "BadQuery",
    "BuildError",
    "ContentError",
    "IndexBusy",
    "IndexMissing",
    "KbError",
    "Problem",
    "PublishBusy",
    "Settings",
    "UnknownCategory",
    "load_settings",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'search' has no attribute {name!r}")
