"""The per-client rate limit lets a burst through, then a steady rate; workers share one budget."""

from __future__ import annotations

from pathlib import Path

from search.limiter import RateLimiter


def test_client_over_the_limit_waits_for_its_next_share_of_the_window():
    limiter = RateLimiter(limit=3, window=60)
    assert [limiter.hit("a", now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert limiter.hit("a", now=3) == 17  # one hit every 20 s on average, after a burst of 3
    assert limiter.hit("a", now=61) == 0


def test_clients_are_limited_separately():
    limiter = RateLimiter(limit=1, window=60)
    assert limiter.hit("a", now=0) == 0
    assert limiter.hit("a", now=1) > 0
    assert limiter.hit("b", now=1) == 0


def test_a_stale_table_from_before_a_reboot_does_not_lock_clients_out(tmp_path: Path):
    table = tmp_path / "t.bin"
    assert RateLimiter(1, 60, table).hit("a", now=10_000) == 0
    rebooted = RateLimiter(1, 60, table)  # the monotonic clock starts again near 0
    assert rebooted.hit("a", now=5) == 0
