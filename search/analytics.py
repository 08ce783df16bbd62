"""Search analytics: searches, clicks and answer feedback, recorded off the request path; `kb report`."""

from __future__ import annotations

import calendar
import contextlib
import itertools
import json
import logging
import select as io
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, not_, or_, select

from .contracts import DayTrend, Report
from .eventdb import create, migrate, sqlite_path, store_url
from .eventtables import clicks, daily, feedback, searches
from .eventwriter import RECORD_BYTES
from .memo import memo
from .redaction import redact
from .retention import CHINA, DAY, day_of, search_counts

log = logging.getLogger("kb.analytics")

REASONS = ("信息不全", "看不懂", "和我的情况不符", "其他")
QUEUE_BYTES = 4 << 20  # asked of the kernel for the queue; it may grant less


@memo(1024, 128)  # a question asked again is not redacted again
def clean_query(query: str) -> str:
    """Given a raw query, return it redacted, whitespace-collapsed and cut to 1,000 characters."""
    return " ".join(redact(query).split())[:1000]


class Recorder:
    """Hands events to an analytics writer process through a bounded queue; never blocks a request.

    The queue is a Unix socket pair: `search()`, `click()` and `feedback()` each send one record
    without waiting, and return False (counting it in `dropped`) when the queue is full. An event
    handed over is kept by the kernel until the writer reads it, so it outlives this process. The
    writer is restarted when it dies (whatever killed it), reading on where it stopped.
    """

    def __init__(self, store: str | Path, restart_after: float = 1.0, keep_days: int = 180) -> None:
        self.store = store_url(store)
        self.keep_days = keep_days
        self.restart_after = restart_after
        self.acknowledged = 0  # events handed to the queue
        self.dropped = 0  # events refused (queue full) or dropped by the writer
        self.written = self.skipped = 0  # as the writer last reported
        self.restarts = 0
        self._sock, self._queue_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with contextlib.suppress(OSError):  # a deeper queue where the system allows it
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, QUEUE_BYTES)
        self._sock.setblocking(False)
        self._lock = threading.Lock()
        self._flushes = itertools.count(1)
        self._closing = False
        self._writer_dropped = 0
        self._process = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="kb-analytics", daemon=True)
        self._watcher.start()

    @property
    def writer_pid(self) -> int:
        """The process id of the current writer."""
        return self._process.pid

    def _spawn(self) -> subprocess.Popen[bytes]:
        fd = self._queue_end.fileno()
        return subprocess.Popen(
            [sys.executable, "-m", "search.eventwriter", str(fd), self.store, str(self.keep_days)],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            cwd=Path(__file__)
            .resolve()
            .parent.parent,  # this checkout's `search`, whatever the cwd
        )

    def _watch(self) -> None:
        """Restart the writer whenever it dies before it was asked to close."""
        backoff = self.restart_after
        while True:
            started = time.monotonic()
            code = self._process.wait()
            if self._closing:
                return
            cause = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            log.warning("analytics: writer %d died (%s); restarting it", self._process.pid, cause)
            if time.monotonic() - started > 60:
                backoff = self.restart_after  # it had been healthy: no penalty
            time.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            if self._closing:
                return
            self._process = self._spawn()
            self.restarts += 1

    def _send(self, record: dict[str, Any]) -> bool:
        try:
            self._sock.send(json.dumps(record).encode())  # ASCII: half an emoji travels escaped
        except OSError:  # BlockingIOError: the queue is full
            self.dropped += 1
            return False
        self.acknowledged += 1
        return True

    def search(
        self, query: str, total: int, top_id: str | None, took_ms: float, view: str | None = None
    ) -> bool:
        """Record one search (the query redacted first); return whether the queue took it."""
        row = (time.time(), clean_query(query), total, top_id, round(took_ms, 2), view)
        return self._send({"event": "searches", "row": row})

    def click(self, query: str, fid: str, rank: int | None, view: str | None = None) -> bool:
        """Record one click on a result (the query redacted first); return whether the queue took it."""
        row = (time.time(), clean_query(query), fid, rank, view)
        return self._send({"event": "clicks", "row": row})

    def feedback(
        self, fid: str, helpful: bool, reason: str | None, view: str | None = None
    ) -> bool:
        """Record one 有帮助/没帮助 vote: the answer, the vote and a fixed reason, nothing about who."""
        return self._send(
            {"event": "feedback", "row": (time.time(), fid, int(helpful), reason, view)}
        )

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything recorded so far is written or dropped; return False on timeout."""
        with self._lock:
            n = next(self._flushes)
            deadline = time.monotonic() + timeout
            while not self._control({"op": "flush", "n": n}):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.01)
            while (left := deadline - time.monotonic()) > 0:
                ready, _, _ = io.select([self._sock], [], [], left)
                if not ready:
                    break
                try:
                    reply = json.loads(self._sock.recv(RECORD_BYTES))
                except (BlockingIOError, ValueError):
                    continue
                if reply.get("flushed") == n:
                    self.written, self.skipped = reply["written"], reply["skipped"]
                    self.dropped += reply["dropped"] - self._writer_dropped
                    self._writer_dropped = reply["dropped"]
                    return True
            return False

    def _control(self, record: dict[str, Any]) -> bool:
        try:
            self._sock.send(json.dumps(record).encode())
            return True
        except OSError:
            return False

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer."""
        self.flush(timeout)
        self._closing = True
        self._control({"op": "close"})
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._watcher.join(timeout)
        self._sock.close()
        self._queue_end.close()


def day_number(ts: float) -> int:
    """Given a Unix time, return its day (China time) as days since 1970-01-01."""
    return int((ts + CHINA) // DAY)


def day_label(day: int) -> str:
    """Given a day number, return it as YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(day * DAY))


def day_start(label: str) -> float:
    """Given YYYY-MM-DD, return the Unix time its day begins in China; ValueError when not a date."""
    return calendar.timegm(time.strptime(label, "%Y-%m-%d")) - CHINA


def _rows(connection: Connection, query: Select) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(query)]


def _settled(s: Any, since: float, until: float) -> Any:
    """Searches in the window that are not a prefix of a later query from the same page view."""
    later = searches.alias("later")
    typed_on = exists().where(
        later.c.view == s.c.view,
        later.c.ts > s.c.ts,
        later.c.ts < until,
        func.length(later.c.query) > func.length(s.c.query),
        func.substr(later.c.query, 1, func.length(s.c.query)) == s.c.query,
    )
    return and_(s.c.ts >= since, s.c.ts < until, or_(s.c.view.is_(None), not_(typed_on)))


def trend(connection: Connection, since: float, until: float) -> list[DayTrend]:
    """Given a window, return per day: searches, zero-result share and click-through (raw and rolled up)."""
    s = searches.alias("s")
    clicked = exists().where(clicks.c.query == s.c.query, clicks.c.ts >= since, clicks.c.ts < until)
    day = day_of(s.c.ts).label("day")
    raw = (
        select(day, *search_counts(s, clicked)).where(s.c.ts >= since, s.c.ts < until).group_by(day)
    )
    days: dict[int, dict[str, int]] = {}
    keys = ("searches", "zero_results", "with_results", "clicked")
    for row in connection.execute(raw):
        days[int(row.day)] = {k: int(getattr(row, k) or 0) for k in keys}
    rolled = select(daily).where(
        daily.c.day >= day_number(since), daily.c.day <= day_number(until - 1)
    )
    for row in connection.execute(rolled):
        into = days.setdefault(int(row.day), dict.fromkeys(keys, 0))
        for k in keys:
            into[k] += getattr(row, k)
    out: list[DayTrend] = []
    for d in sorted(days):
        c = days[d]
        out.append(
            DayTrend(
                day=day_label(d),
                searches=c["searches"],
                zero_share=round(c["zero_results"] / c["searches"], 3) if c["searches"] else 0.0,
                click_through=round(c["clicked"] / c["with_results"], 3)
                if c["with_results"]
                else 0.0,
            )
        )
    return out


def prepare(store: str | Path) -> None:
    """Given the analytics store, create or migrate its schema now (`kb` does this when it starts)."""
    engine = create(store_url(store))
    try:
        migrate(engine)
    finally:
        engine.dispose()


def report(
    store: str | Path,
    days: int = 30,
    top: int = 20,
    now: float | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Report:
    """Given the analytics store and a window (the last `days` days, or start..end dates inclusive), return the report."""
    until = (now or time.time()) + 1
    since = until - 1 - days * DAY
    if start:
        since = day_start(start)
    if end:
        until = day_start(end) + DAY
    path = sqlite_path(store)
    if path is not None and not path.exists():
        return _empty_report(days, since, until)
    engine = create(store_url(store))
    try:
        migrate(engine)
        with engine.connect() as connection:
            return _report(connection, since, until, days, top)
    finally:
        engine.dispose()


def _report(connection: Connection, since: float, until: float, days: int, top: int) -> Report:
    s = searches.alias("s")
    window = and_(feedback.c.ts >= since, feedback.c.ts < until)
    not_helpful = func.sum(1 - feedback.c.helpful).label("not_helpful")
    votes = _rows(
        connection,
        select(feedback.c.id, func.sum(feedback.c.helpful).label("helpful"), not_helpful)
        .where(window)
        .group_by(feedback.c.id)
        .order_by(not_helpful.desc(), feedback.c.id)
        .limit(top),
    )
    for row in votes:
        n = func.count().label("n")
        row["reasons"] = {
            r["reason"]: r["n"]
            for r in _rows(
                connection,
                select(feedback.c.reason, n)
                .where(window, feedback.c.id == row["id"], feedback.c.helpful == 0)
                .where(feedback.c.reason.is_not(None))
                .group_by(feedback.c.reason)
                .order_by(n.desc(), feedback.c.reason),
            )
        }
    count = func.count().label("count")
    settled = _settled(s, since, until)
    any_click = exists().where(
        clicks.c.query == s.c.query, clicks.c.ts >= since, clicks.c.ts < until
    )
    reads = func.count().label("clicks")
    return {  # type: ignore[typeddict-item]  # rows are the SELECTs' columns, as Report names them
        "days": days,
        "start": day_label(day_number(since)),
        "end": day_label(day_number(until - 1)),
        "searches": connection.execute(
            select(func.count()).select_from(s).where(s.c.ts >= since, s.c.ts < until)
        ).scalar_one(),
        "trend": trend(connection, since, until),
        "top_queries": _rows(
            connection,
            select(s.c.query, count, func.max(s.c.total).label("results"))
            .where(s.c.ts >= since, s.c.ts < until)
            .group_by(s.c.query)
            .order_by(count.desc(), s.c.query)
            .limit(top),
        ),
        "zero_result_queries": _rows(
            connection,
            select(s.c.query, count)
            .where(settled, s.c.total == 0)
            .group_by(s.c.query)
            .order_by(count.desc(), s.c.query)
            .limit(top),
        ),
        "unclicked_queries": _rows(
            connection,
            select(s.c.query, count, func.max(s.c.top_id).label("top_id"))
            .where(settled, s.c.total > 0, not_(any_click))
            .group_by(s.c.query)
            .order_by(count.desc(), s.c.query)
            .limit(top),
        ),
        "most_read": _rows(
            connection,
            select(clicks.c.id, reads)
            .where(clicks.c.ts >= since, clicks.c.ts < until)
            .group_by(clicks.c.id)
            .order_by(reads.desc(), clicks.c.id)
            .limit(top),
        ),
        "feedback": votes,
        "not_helpful_queries": _rows(
            connection,
            # The query a shopper clicked through, in the page view where they then voted 没帮助.
            select(clicks.c.query, count)
            .join(feedback, and_(feedback.c.view == clicks.c.view, feedback.c.id == clicks.c.id))
            .where(window, feedback.c.helpful == 0, clicks.c.ts >= since, clicks.c.ts < until)
            .group_by(clicks.c.query)
            .order_by(count.desc(), clicks.c.query)
            .limit(top),
        ),
    }


def _empty_report(days: int, since: float, until: float) -> Report:
    return Report(
        days=days,
        start=day_label(day_number(since)),
        end=day_label(day_number(until - 1)),
        searches=0,
        trend=[],
        top_queries=[],
        zero_result_queries=[],
        unclicked_queries=[],
        most_read=[],
        feedback=[],
        not_helpful_queries=[],
    )
