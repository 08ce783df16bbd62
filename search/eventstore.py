"""Where analytics events end up: a store the writer process owns, SQLite or PostgreSQL by URL.

A store takes batches of (table, row) events. It skips an event it cannot keep (and counts it)
without losing the rest of the batch, and raises StoreUnavailable when it can keep none
(locked, read-only, full, deleted, server down or slow): the writer drops that batch and carries on.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from .eventdb import create, is_postgres, migrate, sqlite_path
from .eventtables import EVENT_TABLES
from .retention import roll_up

log = logging.getLogger("kb.analytics")

Event = tuple[str, tuple[Any, ...]]


WRITER_WAIT = 10.0  # seconds a writer waits for another writer's transaction


class StoreUnavailable(Exception):
    """The store can keep no event right now (the whole batch is dropped)."""


class Store(Protocol):
    """What the analytics writer needs from a storage backend."""

    def write(self, events: list[Event]) -> int:
        """Given a batch, keep every event it can; return how many were skipped as unkeepable."""
        ...

    def prune(self, keep_days: int) -> int:
        """Roll raw events older than `keep_days` days up into daily counts; return how many went."""
        ...

    def close(self) -> None:
        """Release the backend's connections."""
        ...


def _row(table: str, row: tuple[Any, ...]) -> dict[str, Any]:
    """Given an event, return its column values (a missing page view is None); KeyError for no such table."""
    columns = [c.name for c in EVENT_TABLES[table].columns]
    if not len(columns) - 1 <= len(row) <= len(columns):
        raise ValueError(f"{table}: {len(row)} values")
    return dict(zip(columns, (*row, None)[: len(columns)], strict=False))


def _store_failed(e: BaseException) -> bool:
    """Given an error while inserting, return True when the database failed (not the event)."""
    bad_event = (sa_exc.IntegrityError, sa_exc.DataError, sa_exc.ProgrammingError)
    if isinstance(e, sa_exc.StatementError) and not isinstance(e, sa_exc.DBAPIError):
        return False  # the driver could not even bind a value (half an emoji)
    return isinstance(e, sa_exc.DBAPIError) and not isinstance(e, bad_event)


def _insert(connection: Connection, events: list[Event]) -> None:
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, row in events:
        by_table.setdefault(table, []).append(_row(table, row))
    for table, rows in by_table.items():
        connection.execute(EVENT_TABLES[table].insert(), rows)


class SqlStore:
    """Events in one database through SQLAlchemy Core; the schema is migrated on first use."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url, self.timeout = url, timeout
        self._engine: Engine | None = None

    def _connect(self) -> Engine:
        if self._engine is None:
            engine = create(self.url, self.timeout)
            try:
                migrate(engine)
            except Exception as e:
                engine.dispose()
                raise StoreUnavailable(_reason(e)) from e
            self._engine = engine
        return self._engine

    def write(self, events: list[Event]) -> int:
        """Given a batch, insert it in one transaction; when an event cannot be kept, skip just it."""
        engine = self._connect()
        try:
            try:
                with engine.begin() as connection:
                    _insert(connection, events)
                return 0
            except Exception as e:
                if _store_failed(e):
                    raise
            skipped = 0  # one bad value (half an emoji, an unknown table): find it, keep the rest
            with engine.begin() as connection:
                for table, row in events:
                    try:
                        with connection.begin_nested():
                            _insert(connection, [(table, row)])
                    except Exception as e:
                        if _store_failed(e):
                            raise
                        skipped += 1
                        log.warning(
                            "analytics: skipped one %s event (%s)", table[:20], type(e).__name__
                        )
            return skipped
        except sa_exc.SQLAlchemyError as e:
            self.close()
            raise StoreUnavailable(_reason(e)) from e

    def prune(self, keep_days: int) -> int:
        """Roll raw events older than `keep_days` days up into daily counts; return how many went."""
        engine = self._connect()
        try:
            with engine.begin() as connection:
                return roll_up(connection, keep_days)
        except sa_exc.SQLAlchemyError as e:
            self.close()
            raise StoreUnavailable(_reason(e)) from e

    def close(self) -> None:
        """Close the connections (the next write reopens them)."""
        if self._engine is not None:
            with contextlib.suppress(Exception):
                self._engine.dispose()
        self._engine = None


def _reason(e: BaseException) -> str:
    """Given a database error, return one line saying why (never the statement or its values)."""
    inner = getattr(e, "orig", None) or e
    return f"{type(inner).__name__}: {str(inner).splitlines()[0] if str(inner) else ''}"[:300]


class SqliteStore(SqlStore):
    """Events in one SQLite file; follows the file if it is deleted or replaced, stops if it turns read-only."""

    def __init__(self, path: Path) -> None:
        # Other workers' writers share the file: wait for them rather than drop a batch
        # (this process waits, not a request).
        super().__init__(f"sqlite:{path}", timeout=WRITER_WAIT)
        self.path = path
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

    def _connect(self) -> Engine:
        problem = self._writable()
        if problem:
            # Not disposed: closing would write to the mapped -shm, which is what raises SIGBUS.
            raise StoreUnavailable(problem)
        try:
            st = self.path.stat()
            identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            identity = None
        if self._engine is not None and identity != self._identity:
            # Deleted or replaced under us: writing on would land in a file nobody reads.
            log.warning("analytics: %s was deleted or replaced; reopened it", self.path)
            self.close()
        if self._engine is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreUnavailable(str(e)) from e
            engine = super()._connect()
            try:
                st = self.path.stat()
            except OSError as e:
                self.close()
                raise StoreUnavailable(str(e)) from e
            self._identity = (st.st_dev, st.st_ino)
            return engine
        return self._engine

    def close(self) -> None:
        super().close()
        self._identity = None


def open_store(url: str) -> Store:
    """Given a store URL (`sqlite:PATH` or `postgresql://…`), return the store it names."""
    path = sqlite_path(url)
    if path is not None and str(path):
        return SqliteStore(path)
    if is_postgres(url):
        return SqlStore(url)
    raise ValueError(f"unknown analytics store {url!r} (expected sqlite:PATH or postgresql://…)")
