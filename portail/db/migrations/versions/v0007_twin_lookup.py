"""The twin lookup by content uses an index of its own: (source, content_hash, status).

With (source, content_hash) and (source, status) both two equalities wide, SQLite chose the
second and read every live page of the source for each page crawled (a crawl in O(n²)).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("pages_hash", table_name="pages")
    op.create_index("pages_hash", "pages", ["source", "content_hash", "status"])
