"""The analytics tables, described once for every engine (SQLite and PostgreSQL) and for migrations."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

searches = Table(
    "searches",
    metadata,
    Column("ts", Float, nullable=False),
    Column("query", Text, nullable=False),
    Column("total", Integer, nullable=False),
    Column("top_id", Text),
    Column("took_ms", Float, nullable=False),
    Column("view", String(32)),  # a random id per page view: ties a search to its clicks
    Index("searches_ts", "ts"),
)

clicks = Table(
    "clicks",
    metadata,
    Column("ts", Float, nullable=False),
    Column("query", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("rank", Integer),
    Column("view", String(32)),
    Index("clicks_ts", "ts"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("ts", Float, nullable=False),
    Column("id", Text, nullable=False),
    Column("helpful", Integer, nullable=False),
    Column("reason", Text),
    Column("view", String(32)),
    Index("feedback_ts", "ts"),
)

# Raw events past the retention period, rolled up: one row per day (China time) keeps the trend.
daily = Table(
    "daily",
    metadata,
    Column("day", Integer, primary_key=True),  # days since 1970-01-01, China time
    Column("searches", Integer, nullable=False),
    Column("zero_results", Integer, nullable=False),
    Column("with_results", Integer, nullable=False),
    Column("clicked", Integer, nullable=False),
    Column("clicks", Integer, nullable=False),
    Column("helpful", Integer, nullable=False),
    Column("not_helpful", Integer, nullable=False),
)

editors = Table(
    "editors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created", Float, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column(
        "token_hash", String(64), primary_key=True
    ),  # sha256 of the cookie: a stolen table logs no one in
    Column("editor", String(64), nullable=False),
    Column("expires", Float, nullable=False),
)

EVENT_TABLES = {t.name: t for t in (searches, clicks, feedback)}
