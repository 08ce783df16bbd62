"""An exclusive, non-blocking lock on a file: a second writer gets a "busy" error at once, never a hang."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import KbError


@contextlib.contextmanager
def exclusive(path: Path, busy: KbError) -> Iterator[None]:
    """Given a lock file path, hold an flock on it for the block; raise `busy` if another process holds it.

    The kernel releases an flock when its holder dies, so a crashed writer never leaves a stale lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
