"""The analytics database: one SQLAlchemy engine per URL (SQLite file or PostgreSQL), migrated to today's schema.

`sqlite:PATH` (or a plain path) names the embedded default; `postgresql://…` a server every replica
shares. The same SQLAlchemy Core queries serve both.
"""

from __future__ import annotations

import logging
import math
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

log = logging.getLogger("kb.analytics")

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0002"  # the newest revision in migrations/versions (a test keeps the two in step)
_LOCK_KEY = 0x6B62  # "kb": one migration at a time across replicas sharing a PostgreSQL
_migrated: set[str] = set()
_migrating = threading.Lock()


def store_url(store: str | Path) -> str:
    """Given a path, `sqlite:PATH` or a PostgreSQL URL, return the store URL the writer takes."""
    if isinstance(store, Path):
        return f"sqlite:{store}"
    return store


def is_postgres(store: str | Path) -> bool:
    """Given a store, return True when it names a PostgreSQL server."""
    return isinstance(store, str) and store.startswith(("postgresql:", "postgres:"))


def sqlite_path(store: str | Path) -> Path | None:
    """Given a store, return its SQLite file (None for a server)."""
    url = store_url(store)
    return Path(url.removeprefix("sqlite:")) if url.startswith("sqlite:") else None


def sqlalchemy_url(store: str | Path) -> URL:
    """Given a store, return the SQLAlchemy URL with the driver this project uses (psycopg 3)."""
    path = sqlite_path(store)
    if path is not None:
        return URL.create("sqlite", database=str(path))
    url = make_url(str(store))
    return url.set(drivername="postgresql+psycopg")


def _sqlite_floor(value: float | None) -> int | None:
    return None if value is None else math.floor(value)


def create(store: str | Path, timeout: float = 2.0) -> Engine:
    """Given a store, return an engine whose connections wait at most `timeout` seconds for the database."""
    url = sqlalchemy_url(store)
    if url.get_backend_name() == "sqlite":
        Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # PostgreSQL has floor(); SQLite has it only in some builds: the same queries need it.
            dbapi_connection.create_function("floor", 1, _sqlite_floor, deterministic=True)
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            # A slow server must not hold the writer: give up on a statement, drop the batch.
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        },
    )


def migrate(engine: Engine) -> None:
    """Given an engine, bring its database to the newest schema (Alembic), once per process per server."""
    key = engine.url.render_as_string(hide_password=False)
    # A SQLite file can be deleted and made anew at the same path: check it every time it is opened.
    if key in _migrated and engine.dialect.name != "sqlite":
        return
    if _version(engine) == HEAD:  # the usual case: no need to load Alembic at all
        _migrated.add(key)
        return
    from alembic import command
    from alembic.config import Config

    with _migrating, engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Replicas start together: the first migrates, the others wait and find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    _migrated.add(key)


def _version(engine: Engine) -> str | None:
    """Given an engine, return the schema revision its database is at (None when unversioned)."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
