"""Where analytics events end up: a store the writer process owns (SQLite today; swappable by URL).

A store takes batches of (table, row) events. It skips an event it cannot keep (and counts it)
without losing the rest of the batch, and raises StoreUnavailable when it can keep none
(locked, read-only, full, deleted): the writer drops that batch and carries on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("kb.analytics")

Event = tuple[str, tuple[Any, ...]]

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


WRITER_WAIT = 10.0  # seconds a writer waits for another writer's transaction


class StoreUnavailable(Exception):
    """The store can keep no event right now (the whole batch is dropped)."""


class Store(Protocol):
    """What the analytics writer needs from a storage backend."""

    def write(self, events: list[Event]) -> int:
        """Given a batch, keep every event it can; return how many were skipped as unkeepable."""
        ...

    def close(self) -> None:
        """Release the backend's connections."""
        ...


def connect(path: Path, timeout: float = 0.2) -> sqlite3.Connection:
    """Given the database path, return a connection with the schema in place (WAL, short busy wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


class SqliteStore:
    """Events in one SQLite file; follows the file if it is deleted or replaced, stops if it turns read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    def _writable(self) -> str:
        """Return why the file cannot be written now ('' when it can), without touching SQLite.

        A file made immutable while SQLite has its -shm mapped kills the process with SIGBUS on
        the next write; checking first keeps that (mostly) from happening at all.
        """
        for suffix in ("", "-wal", "-shm"):
            f = self.path.with_name(self.path.name + suffix)
            if f.exists() and not os.access(f, os.W_OK):
                return f"{f.name} is not writable"
        return ""

    def _connection(self) -> sqlite3.Connection:
        """Return an open connection to the file that is at `path` now, reopening when it changed."""
        problem = self._writable()
        if problem:
            # Not closed: closing would write to the mapped -shm, which is what raises SIGBUS.
            raise StoreUnavailable(problem)
        try:
            st = self.path.stat()
            identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            identity = None
        if self._db is not None and identity != self._identity:
            # Deleted or replaced under us: writing on would land in a file nobody reads.
            log.warning("analytics: %s was deleted or replaced; reopened it", self.path)
            self.close()
        if self._db is None:
            try:
                # Other workers' writers share the file: wait for them rather than drop a batch
                # (this process waits, not a request).
                self._db = connect(self.path, timeout=WRITER_WAIT)
                st = self.path.stat()
            except (sqlite3.Error, OSError) as e:
                self.close()
                raise StoreUnavailable(str(e)) from e
            self._identity = (st.st_dev, st.st_ino)
        return self._db

    def write(self, events: list[Event]) -> int:
        """Given a batch, insert it in one transaction; return how many events were skipped."""
        db = self._connection()
        try:
            with db:
                return _insert(db, events)
        except sqlite3.Error as e:
            self.close()
            raise StoreUnavailable(str(e)) from e

    def close(self) -> None:
        """Close the connection (the next write reopens it)."""
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
        self._db = None
        self._identity = None


def _store_failed(e: BaseException) -> bool:
    """Given an error while inserting, return True when the database failed (not the event)."""
    bad_event = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError)
    return isinstance(e, sqlite3.DatabaseError) and not isinstance(e, bad_event)


def _insert(db: sqlite3.Connection, events: list[Event]) -> int:
    """Given a batch, insert it; when an event cannot be kept, skip just it. Return how many were skipped."""
    try:
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for table, row in events:
            by_table.setdefault(table, []).append(row)
        for table, rows in by_table.items():
            db.executemany(_INSERT[table], rows)
        return 0
    except Exception as e:
        if _store_failed(e):
            raise
    db.rollback()  # one bad value (half an emoji, an unknown table): find it, keep the rest
    skipped = 0
    for table, row in events:
        try:
            db.execute(_INSERT[table], row)
        except Exception as e:
            if _store_failed(e):
                raise
            skipped += 1
            log.warning("analytics: skipped one %s event (%s)", table[:20], type(e).__name__)
    return skipped


def open_store(url: str) -> Store:
    """Given a store URL (`sqlite:PATH`), return the store it names."""
    scheme, _, rest = url.partition(":")
    if scheme == "sqlite" and rest:
        return SqliteStore(Path(rest))
    raise ValueError(f"unknown analytics store {url!r} (expected sqlite:PATH)")
