"""A per-client rate limit (sliding window, in memory) for write endpoints such as feedback."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .errors import RateLimited


@dataclass
class RateLimiter:
    """Allows `limit` hits per client in any `window` seconds; clients are forgotten after their window."""

    limit: int = 10
    window: float = 60.0
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, client: str, now: float | None = None) -> float:
        """Given a client key, record a hit; return 0 when allowed, else seconds until the next is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > 10_000:  # bound memory: drop clients whose window has passed
                self._hits = {
                    k: v for k, v in self._hits.items() if v and v[-1] > now - self.window
                }
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            return 0.0

    def check(self, client: str) -> None:
        """Given a client key, record a hit; raise RateLimited when it is over its budget."""
        wait = self.hit(client)
        if wait:
            raise RateLimited("提交太频繁了", wait)
