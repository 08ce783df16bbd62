"""The per-client rate limit lets a burst through, then asks the client to wait."""

from __future__ import annotations

from search.limiter import RateLimiter


def test_client_over_the_limit_must_wait_until_the_window_passes():
    limiter = RateLimiter(limit=3, window=60)
    assert [limiter.hit("a", now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert limiter.hit("a", now=3) == 57
    assert limiter.hit("a", now=61) == 0


def test_clients_are_limited_separately():
    limiter = RateLimiter(limit=1, window=60)
    assert limiter.hit("a", now=0) == 0
    assert limiter.hit("a", now=1) > 0
    assert limiter.hit("b", now=1) == 0
