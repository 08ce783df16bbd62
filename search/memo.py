"""Memo caches bounded by entry count and by key size, so no query can grow a process's memory;
and the folder where prepared data (dictionaries) is kept between processes.

`functools.lru_cache` bounds entries only: 4,000 crafted 1,000-character queries would keep a
gigabyte. A key longer than `max_chars` (characters of text, bytes of bytes) is computed and not kept.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def _size(key: tuple[Hashable, ...]) -> int:
    return sum(len(k) if isinstance(k, (str, bytes)) else 1 for k in key)


def memo(maxsize: int, max_chars: int = 256) -> Callable[[F], F]:
    """Given bounds, return a decorator memoising a function of hashable arguments (LRU order)."""

    def decorate(fn: F) -> F:
        table: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        lock = threading.Lock()

        @wraps(fn)
        def wrapper(*args: Hashable) -> Any:
            try:
                with lock:
                    value = table[args]
                    table.move_to_end(args)
                    return value
            except KeyError:
                pass
            value = fn(*args)
            if _size(args) <= max_chars:
                with lock:
                    table[args] = value
                    while len(table) > maxsize:
                        table.popitem(last=False)
            return value

        def cache_clear() -> None:
            with lock:
                table.clear()

        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        wrapper.cache_len = lambda: len(table)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


class BoundedDict(OrderedDict):
    """A dict that forgets its least recently set entries beyond `maxsize` (not thread-safe)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


_CACHE_DIR: list[Path] = [Path(tempfile.gettempdir()) / f"kb-cache-{os.getuid()}"]


def use_cache_dir(folder: Path) -> None:
    """Given a folder (the build folder's cache/), keep prepared data there from now on."""
    _CACHE_DIR[0] = folder


def prepared(name: str, build: Callable[[], Any]) -> Any:
    """Given a file name and how to build a value, return the value kept under that name (marshal).

    Written whole or not at all (a reader never sees half a file); an unreadable or absent file
    is built again, and a read-only folder only costs the build.
    """
    path = _CACHE_DIR[0] / name
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(value))
        os.replace(partial, path)
    except (OSError, ValueError):
        pass
    return value
