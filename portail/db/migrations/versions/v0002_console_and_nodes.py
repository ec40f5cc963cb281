"""The console's corrections and queues, and what web nodes share (login attempts,
sessions), in the database; a crawl keeps its machine-readable record.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawls") as batch:
        batch.add_column(sa.Column("record", sa.Text))
    op.create_index("crawl_errors_crawl", "crawl_errors", ["crawl_id"])
    op.create_table(
        "corrections",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("step", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("hidden", sa.Integer, nullable=False, server_default="0"),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
        sa.Column("at", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "recrawl_queue",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "reindex_queue",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("login_attempts_client", "login_attempts", ["client", "at"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("password_stamp", sa.Text, nullable=False, server_default=""),
    )
