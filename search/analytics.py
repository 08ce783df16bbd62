"""Search analytics in SQLite: searches, clicks and answer feedback, recorded off the request path; `kb report`."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contracts import Report
from .redaction import redact

log = logging.getLogger("kb.analytics")

REASONS = ("信息不全", "看不懂", "和我的情况不符", "其他")

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (ts REAL NOT NULL, query TEXT NOT NULL, total INTEGER NOT NULL,
                                     top_id TEXT, took_ms REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clicks (ts REAL NOT NULL, query TEXT NOT NULL, id TEXT NOT NULL, rank INTEGER);
CREATE TABLE IF NOT EXISTS feedback (ts REAL NOT NULL, id TEXT NOT NULL, helpful INTEGER NOT NULL,
                                     reason TEXT);
CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts);
CREATE INDEX IF NOT EXISTS clicks_ts ON clicks (ts);
CREATE INDEX IF NOT EXISTS feedback_ts ON feedback (ts);
"""

_INSERT = {
    "searches": "INSERT INTO searches VALUES (?, ?, ?, ?, ?)",
    "clicks": "INSERT INTO clicks VALUES (?, ?, ?, ?)",
    "feedback": "INSERT INTO feedback VALUES (?, ?, ?, ?)",
}


def clean_query(query: str) -> str:
    """Given a raw query, return it redacted, whitespace-collapsed and cut to 1,000 characters."""
    return " ".join(redact(query).split())[:1000]


def connect(path: Path, timeout: float = 0.2) -> sqlite3.Connection:
    """Given the database path, return a connection with the schema in place (WAL, short busy wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


@dataclass
class Recorder:
    """Collects events in memory and writes them in batches from one background thread.

    A search only appends to a deque (no lock handoff, no thread wake-up per event); the writer
    wakes every `flush_every` seconds. A search never waits on SQLite: when the database is
    locked, full or unwritable, the batch is dropped and counted in `dropped`, and search goes on.
    """

    path: Path
    flush_every: float = 0.5
    max_pending: int = 10_000

    def __post_init__(self) -> None:
        self._pending: deque[tuple[str, tuple[Any, ...]]] = deque()
        self._wake = threading.Event()
        self._flushed: list[threading.Event] = []
        self._flush_lock = threading.Lock()
        self._closing = False
        self.dropped = 0
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="kb-analytics", daemon=True)
        self._thread.start()

    def _put(self, table: str, row: tuple[Any, ...]) -> None:
        if len(self._pending) >= self.max_pending:  # the writer is stuck: shed load, not memory
            self.dropped += 1
        else:
            self._pending.append((table, row))

    def search(self, query: str, total: int, top_id: str | None, took_ms: float) -> None:
        """Record one search (the query redacted first)."""
        self._put("searches", (time.time(), clean_query(query), total, top_id, round(took_ms, 2)))

    def click(self, query: str, fid: str, rank: int | None) -> None:
        """Record one click on a result (the query redacted first)."""
        self._put("clicks", (time.time(), clean_query(query), fid, rank))

    def feedback(self, fid: str, helpful: bool, reason: str | None) -> None:
        """Record one 有帮助/没帮助 vote: the answer, the vote and a fixed reason, nothing about who."""
        self._put("feedback", (time.time(), fid, int(helpful), reason))

    def flush(self, timeout: float = 5.0) -> None:
        """Block until everything recorded so far is written or dropped (tests and shutdown)."""
        done = threading.Event()
        with self._flush_lock:
            self._flushed.append(done)
        self._wake.set()
        done.wait(timeout)

    def close(self) -> None:
        """Flush and stop the writer thread."""
        self._closing = True
        self.flush()
        self._thread.join(5)

    def _run(self) -> None:
        db: sqlite3.Connection | None = None
        while True:
            self._wake.wait(self.flush_every)
            self._wake.clear()
            with self._flush_lock:
                waiters, self._flushed = self._flushed, []
            rows = [self._pending.popleft() for _ in range(len(self._pending))]
            if rows:
                db = self._write(db, rows)
            for done in waiters:
                done.set()
            if self._closing and not self._pending:
                if db is not None:
                    db.close()
                return

    def _write(
        self, db: sqlite3.Connection | None, rows: list[tuple[str, tuple[Any, ...]]]
    ) -> sqlite3.Connection | None:
        try:
            db = db or connect(self.path)
            by_table: dict[str, list[tuple[Any, ...]]] = {}
            for table, row in rows:
                by_table.setdefault(table, []).append(row)
            with db:
                for table, table_rows in by_table.items():
                    db.executemany(_INSERT[table], table_rows)
            self.written += len(rows)
            return db
        except (sqlite3.Error, OSError) as e:
            self.dropped += len(rows)
            log.warning("analytics: dropped %d events (%s)", len(rows), e)
            with contextlib.suppress(Exception):
                if db is not None:
                    db.close()
            return None


def _rows(db: sqlite3.Connection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def report(path: Path, days: int = 30, top: int = 20, now: float | None = None) -> Report:
    """Given the analytics database, return the report of the last `days` days."""
    since = (now or time.time()) - days * 86400
    if not path.exists():
        return _empty_report(days)
    db = connect(path, timeout=2.0)
    try:
        total = db.execute("SELECT count(*) FROM searches WHERE ts >= ?", (since,)).fetchone()[0]
        feedback = _rows(
            db,
            "SELECT id, sum(helpful) AS helpful, sum(1 - helpful) AS not_helpful FROM feedback "
            "WHERE ts >= ? GROUP BY id ORDER BY not_helpful DESC, id LIMIT ?",
            since,
            top,
        )
        for row in feedback:
            row["reasons"] = {
                r["reason"]: r["n"]
                for r in _rows(
                    db,
                    "SELECT reason, count(*) AS n FROM feedback WHERE ts >= ? AND id = ? "
                    "AND helpful = 0 AND reason IS NOT NULL GROUP BY reason ORDER BY n DESC",
                    since,
                    row["id"],
                )
            }
        return {  # type: ignore[typeddict-item]  # rows are the SELECTs' columns, as Report names them
            "days": days,
            "searches": total,
            "top_queries": _rows(
                db,
                "SELECT query, count(*) AS count, max(total) AS results FROM searches "
                "WHERE ts >= ? GROUP BY query ORDER BY count DESC, query LIMIT ?",
                since,
                top,
            ),
            "zero_result_queries": _rows(
                db,
                "SELECT query, count(*) AS count FROM searches WHERE ts >= ? AND total = 0 "
                "GROUP BY query ORDER BY count DESC, query LIMIT ?",
                since,
                top,
            ),
            "unclicked_queries": _rows(
                db,
                "SELECT s.query, count(*) AS count, max(s.top_id) AS top_id FROM searches s "
                "WHERE s.ts >= ?1 AND s.total > 0 AND NOT EXISTS "
                "(SELECT 1 FROM clicks c WHERE c.query = s.query AND c.ts >= ?1) "
                "GROUP BY s.query ORDER BY count DESC, s.query LIMIT ?2",
                since,
                top,
            ),
            "most_read": _rows(
                db,
                "SELECT id, count(*) AS clicks FROM clicks WHERE ts >= ? "
                "GROUP BY id ORDER BY clicks DESC, id LIMIT ?",
                since,
                top,
            ),
            "feedback": feedback,
        }
    finally:
        db.close()


def _empty_report(days: int) -> Report:
    return Report(
        days=days,
        searches=0,
        top_queries=[],
        zero_result_queries=[],
        unclicked_queries=[],
        most_read=[],
        feedback=[],
    )
