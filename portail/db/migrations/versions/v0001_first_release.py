"""The store of the first release: pages, fetches, crawls, enrichment, sources, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables(metadata: sa.MetaData) -> list[sa.Table]:
    """The first release's tables, as it created them (SQLite's CREATE TABLE statements)."""
    text, integer = sa.Text, sa.Integer
    return [
        sa.Table(
            "pages",
            metadata,
            sa.Column("url", text, primary_key=True),
            sa.Column("source", text, nullable=False),
            sa.Column("status", text, nullable=False),
            sa.Column("fetched_url", text),
            sa.Column("http_status", integer),
            sa.Column("content_type", text),
            sa.Column("title", text, nullable=False, server_default=""),
            sa.Column("text", text, nullable=False, server_default=""),
            sa.Column("description", text, nullable=False, server_default=""),
            sa.Column("language", text, nullable=False, server_default=""),
            sa.Column("published", text),
            sa.Column("modified", text),
            sa.Column("structured", text, nullable=False, server_default="{}"),
            sa.Column("links", text, nullable=False, server_default="[]"),
            sa.Column("content_hash", text),
            sa.Column("etag", text),
            sa.Column("last_modified", text),
            sa.Column("first_seen", text, nullable=False),
            sa.Column("last_fetched", text),
            sa.Column("last_changed", text),
            sa.Column("last_seen", text),
            sa.Column("gone_since", text),
            sa.Column("missed", integer, nullable=False, server_default="0"),
            sa.Column("version", integer, nullable=False, server_default="1"),
            sa.Index("pages_source", "source", "status"),
            sa.Index("pages_hash", "source", "content_hash"),
        ),
        sa.Table(
            "fetches",
            metadata,
            sa.Column("url", text, primary_key=True),
            sa.Column("page_url", text, nullable=False),
            sa.Column("etag", text),
            sa.Column("last_modified", text),
        ),
        sa.Table(
            "crawls",
            metadata,
            sa.Column("id", integer, primary_key=True, autoincrement=True),
            sa.Column("source", text, nullable=False),
            sa.Column("started", text, nullable=False),
            sa.Column("finished", text),
            sa.Column("status", text, nullable=False),
            sa.Column("reason", text),
            sa.Column("pages_new", integer, nullable=False, server_default="0"),
            sa.Column("pages_changed", integer, nullable=False, server_default="0"),
            sa.Column("pages_unchanged", integer, nullable=False, server_default="0"),
            sa.Column("pages_gone", integer, nullable=False, server_default="0"),
            sa.Column("errors", integer, nullable=False, server_default="0"),
            sa.Column("bytes", integer, nullable=False, server_default="0"),
            sa.Column("flag", text),
            sa.Index("crawls_source", "source", "id"),
        ),
        sa.Table(
            "crawl_pages",
            metadata,
            sa.Column("crawl_id", integer, nullable=False),
            sa.Column("page_url", text, nullable=False),
            sa.Column("outcome", text, nullable=False),
            sa.PrimaryKeyConstraint("crawl_id", "page_url"),
        ),
        sa.Table(
            "crawl_errors",
            metadata,
            sa.Column("crawl_id", integer, nullable=False),
            sa.Column("url", text, nullable=False),
            sa.Column("reason", text, nullable=False),
        ),
        sa.Table(
            "sources",
            metadata,
            sa.Column("id", text, primary_key=True),
            sa.Column("name", text, nullable=False),
            sa.Column("organisation", text, nullable=False),
            sa.Column("region", text, nullable=False, server_default=""),
            sa.Column("updated", text, nullable=False),
        ),
        sa.Table(
            "enrichment",
            metadata,
            sa.Column("url", text, primary_key=True),
            sa.Column("version", integer, nullable=False),
            sa.Column("step", text),
            sa.Column("steps", text, nullable=False, server_default="{}"),
            sa.Column("relevant", integer, nullable=False, server_default="1"),
            sa.Column("kind", text, nullable=False, server_default="other"),
            sa.Column("countries", text, nullable=False, server_default="[]"),
            sa.Column("regions", text, nullable=False, server_default="[]"),
            sa.Column("sectors", text, nullable=False, server_default="[]"),
            sa.Column("date", text),
            sa.Column("extra", text, nullable=False, server_default="{}"),
        ),
        sa.Table(
            "runs",
            metadata,
            sa.Column("id", integer, primary_key=True, autoincrement=True),
            sa.Column("source", text, nullable=False),
            sa.Column("started", text, nullable=False),
            sa.Column("finished", text),
            sa.Column("status", text, nullable=False),
            sa.Column("detail", text, nullable=False, server_default=""),
            sa.Index("runs_source", "source", "id"),
        ),
    ]


def upgrade() -> None:
    for table in _tables(sa.MetaData()):
        table.create(op.get_bind())


def create_missing(connection: Any) -> None:
    """For a store of the first release: the tables it was missing (made on first use)."""
    metadata = sa.MetaData()
    _tables(metadata)
    metadata.create_all(connection, checkfirst=True)
