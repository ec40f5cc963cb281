"""The news stream: the entries of the sources' RSS and Atom feeds (the crawler's), and the
news items with the story each tells (the indexer's).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_entries",
        sa.Column("feed", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("published", sa.Text),
        sa.Column("first_seen", sa.Text, nullable=False),
        sa.Column("last_seen", sa.Text, nullable=False),
        sa.Column("changed", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("feed", "url"),
    )
    op.create_index("feed_entries_url", "feed_entries", ["url"])
    op.create_table(
        "news",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("story", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("published", sa.Text),
        sa.Column("dated_by", sa.Text, nullable=False),
        sa.Column("from_feed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("step", sa.Text),
        sa.Column("countries", sa.Text, nullable=False, server_default="[]"),
        sa.Column("regions", sa.Text, nullable=False, server_default="[]"),
        sa.Column("sectors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
    )
    op.create_index("news_story", "news", ["story"])
    op.create_index("news_published", "news", ["published"])
