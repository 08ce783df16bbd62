"""Per-client rate limits shared by every worker of a server: GCRA over a fixed table of slots in one file.

Each client key hashes to one set of four 16-byte slots (a fingerprint and a "theoretical arrival
time" each), so a hit costs the same whatever the number of clients, and memory never grows.
Workers share the table through a file, each set guarded by a byte-range lock for its
read-modify-write. A client missing from its full set takes the slot that is nearest to idle: under
a flood of keys a budget may be forgotten early (lenient), but two clients never share one.
Without a file, the table lives in this process only (tests, single runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import RateLimited

log = logging.getLogger("kb.limiter")

_SLOT = struct.Struct("<Qd")  # key fingerprint, theoretical arrival time (monotonic seconds)
WAYS = 4  # slots per set
_SET = struct.Struct("<" + "Qd" * WAYS)
SETS = 1 << 16  # 4 MB per table


class RateLimiter:
    """Allows bursts of `limit` hits, and `limit` per `window` seconds on average, per client."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        path: Path | None = None,
        sets: int = SETS,
    ) -> None:
        self.limit, self.window, self.sets = limit, window, sets
        self.size = sets * _SET.size  # bytes, fixed: the table never grows
        self._lock = threading.Lock()  # byte-range locks exclude processes, not threads
        self._fd: int | None = None
        self._table = bytearray()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                if os.fstat(self._fd).st_size < self.size:
                    os.ftruncate(self._fd, self.size)
            except OSError as e:
                log.warning("rate limit table %s unusable (%s): limiting per worker", path, e)
                self._fd = None
        if self._fd is None:
            self._table = bytearray(self.size)

    def close(self) -> None:
        """Release the shared table's file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def _locked(self, offset: int) -> Iterator[None]:
        with self._lock:
            if self._fd is None:
                yield
                return
            fcntl.lockf(self._fd, fcntl.LOCK_EX, _SET.size, offset)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, _SET.size, offset)

    def _read(self, offset: int) -> tuple[float, ...]:
        if self._fd is None:
            return _SET.unpack_from(self._table, offset)
        data = os.pread(self._fd, _SET.size, offset)
        return _SET.unpack(data) if len(data) == _SET.size else (0, 0.0) * WAYS

    def _write(self, offset: int, key: int, due: float) -> None:
        if self._fd is None:
            _SLOT.pack_into(self._table, offset, key, due)
        else:
            os.pwrite(self._fd, _SLOT.pack(key, due), offset)

    def hit(self, client: str, now: float | None = None) -> float:
        """Given a client key, record a hit; return 0 when allowed, else seconds until the next is."""
        now = time.monotonic() if now is None else now  # CLOCK_MONOTONIC: one clock for all workers
        digest = hashlib.blake2b(client.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "little") | 1  # never 0, the empty slot
        offset = (key % self.sets) * _SET.size
        interval = self.window / self.limit
        try:
            with self._locked(offset):
                row = self._read(offset)
                slots = [(int(row[2 * w]), row[2 * w + 1]) for w in range(WAYS)]
                way = next((w for w, (owner, _) in enumerate(slots) if owner == key), None)
                if way is None:  # not seen lately: the slot nearest to idle (empty ones first)
                    way = min(range(WAYS), key=lambda w: slots[w][1])
                    due = now
                else:
                    due = slots[way][1]
                offset += way * _SLOT.size
                if (
                    due > now + self.window
                ):  # from before a reboot: a real one is never that far ahead
                    due = now
                due = max(due, now) + interval
                if due - now > self.window:
                    return due - now - self.window
                self._write(offset, key, due)
                return 0.0
        except OSError as e:  # the table file went bad: never fail a request because of it
            log.warning("rate limit table unusable (%s): request let through", e)
            return 0.0

    def check(self, client: str) -> None:
        """Given a client key, record a hit; raise RateLimited when it is over its budget."""
        wait = self.hit(client)
        if wait:
            raise RateLimited("请求太频繁了", wait)
