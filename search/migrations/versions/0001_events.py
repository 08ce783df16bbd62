"""Searches, clicks and feedback as recorded before migrations existed (kept as they are when present).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "searches" not in existing:
        op.create_table(
            "searches",
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("query", sa.Text, nullable=False),
            sa.Column("total", sa.Integer, nullable=False),
            sa.Column("top_id", sa.Text),
            sa.Column("took_ms", sa.Float, nullable=False),
        )
        op.create_index("searches_ts", "searches", ["ts"])
    if "clicks" not in existing:
        op.create_table(
            "clicks",
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("query", sa.Text, nullable=False),
            sa.Column("id", sa.Text, nullable=False),
            sa.Column("rank", sa.Integer),
        )
        op.create_index("clicks_ts", "clicks", ["ts"])
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("id", sa.Text, nullable=False),
            sa.Column("helpful", sa.Integer, nullable=False),
            sa.Column("reason", sa.Text),
        )
        op.create_index("feedback_ts", "feedback", ["ts"])


def downgrade() -> None:
    for table in ("feedback", "clicks", "searches"):
        op.drop_table(table)
