"""Retention: raw analytics events older than the kept period become one row of daily counts.

The report's trend reads both, so it goes back as far as the roll-ups do; what a shopper typed
is kept only for the period (`analytics_keep_days`, default 180).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, and_, case, delete, exists, func, select, text, update

from .eventtables import clicks, daily, feedback, searches

DAY = 86400
CHINA = 8 * 3600
_LOCK_KEY = 0x6B63  # one roll-up at a time across replicas sharing a PostgreSQL
COUNTS = ("searches", "zero_results", "with_results", "clicked", "clicks", "helpful", "not_helpful")


def day_of(ts: Any) -> Any:
    return func.floor((ts + CHINA) / DAY)


def search_counts(s: Any, clicked: Any) -> list[Any]:
    """Given a searches table and when one of its rows counts as clicked, return the per-day count columns."""
    return [
        func.count().label("searches"),
        func.sum(case((s.c.total == 0, 1), else_=0)).label("zero_results"),
        func.sum(case((s.c.total > 0, 1), else_=0)).label("with_results"),
        func.sum(case((and_(s.c.total > 0, clicked), 1), else_=0)).label("clicked"),
    ]


def cutoff(keep_days: int, now: float | None = None) -> float:
    """Given the kept period, return the start (China time) of the oldest day kept raw."""
    today = int(((now or time.time()) + CHINA) // DAY)
    return (today - keep_days) * DAY - CHINA


def roll_up(connection: Connection, keep_days: int, now: float | None = None) -> int:
    """Given a connection in a transaction, fold raw events before the kept period into daily counts; return the events removed."""
    if connection.dialect.name == "postgresql":
        got = connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        if not got.scalar():
            return 0  # another replica is rolling up right now
    before = cutoff(keep_days, now)
    s = searches
    clicked = exists().where(
        clicks.c.query == s.c.query,
        func.coalesce(clicks.c.view, "") == func.coalesce(s.c.view, ""),
        day_of(clicks.c.ts) == day_of(s.c.ts),
    )
    days: dict[int, dict[str, int]] = {}

    def add(query: Any) -> None:
        for row in connection.execute(query):
            into = days.setdefault(int(row.day), dict.fromkeys(COUNTS, 0))
            for key, value in row._mapping.items():
                if key != "day":
                    into[key] += int(value or 0)

    day = day_of(s.c.ts).label("day")
    add(select(day, *search_counts(s, clicked)).where(s.c.ts < before).group_by(day))
    day = day_of(clicks.c.ts).label("day")
    add(select(day, func.count().label("clicks")).where(clicks.c.ts < before).group_by(day))
    day = day_of(feedback.c.ts).label("day")
    add(
        select(
            day,
            func.sum(feedback.c.helpful).label("helpful"),
            func.sum(1 - feedback.c.helpful).label("not_helpful"),
        )
        .where(feedback.c.ts < before)
        .group_by(day)
    )
    for d, counts in days.items():
        old = connection.execute(select(daily).where(daily.c.day == d)).first()
        if old is None:
            connection.execute(daily.insert().values(day=d, **counts))
        else:
            added = {k: getattr(daily.c, k) + v for k, v in counts.items()}
            connection.execute(update(daily).where(daily.c.day == d).values(**added))
    removed = 0
    for table in (searches, clicks, feedback):
        removed += connection.execute(delete(table).where(table.c.ts < before)).rowcount or 0
    return removed
