"""Page-view ids on events, daily roll-ups for retention, editors and their sessions.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("searches", "clicks", "feedback"):
        op.add_column(table, sa.Column("view", sa.String(32)))
    op.create_table(
        "daily",
        sa.Column("day", sa.Integer, primary_key=True),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in (
                "searches",
                "zero_results",
                "with_results",
                "clicked",
                "clicks",
                "helpful",
                "not_helpful",
            )
        ),
    )
    op.create_table(
        "editors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("sessions", "editors", "daily"):
        op.drop_table(table)
    for table in ("feedback", "clicks", "searches"):
        op.drop_column(table, "view")
