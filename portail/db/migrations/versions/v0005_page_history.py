"""The previous versions of a page's content: a change never loses what a page said before
(a site that starts serving an error template in place of its articles is put back).

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_versions",
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("crawl_id", sa.Integer),  # the crawl that replaced this content
        sa.Column("replaced", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.Text, nullable=False, server_default=""),
        sa.Column("published", sa.Text),
        sa.Column("modified", sa.Text),
        sa.Column("structured", sa.Text, nullable=False, server_default="{}"),
        sa.Column("links", sa.Text, nullable=False, server_default="[]"),
        sa.Column("content_hash", sa.Text),
        sa.Column("content_type", sa.Text),
        sa.PrimaryKeyConstraint("url", "version"),
    )


def downgrade() -> None:
    op.drop_table("page_versions")
