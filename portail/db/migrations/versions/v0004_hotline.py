"""The export hotline: people's requests, their history, the mail outbox and the submissions
counted for rate limits; each crawled source keeps its kind of actor (public, consulaire,
privé, associatif).

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("actor", sa.Text, nullable=False, server_default="public"))
    op.create_table(
        "hotline_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.Text, nullable=False, unique=True),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("desk", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
        sa.Column("rule", sa.Text, nullable=False, server_default=""),
        sa.Column("because", sa.Text, nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("step", sa.Text, nullable=False, server_default=""),
        sa.Column("country", sa.Text, nullable=False, server_default=""),
        sa.Column("size", sa.Text, nullable=False, server_default=""),
        sa.Column("sector", sa.Text, nullable=False, server_default=""),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("close_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("answered", sa.Text),
        sa.Column("closed", sa.Text),
        sa.Column("reminded", sa.Text),
        sa.Column("escalated", sa.Text),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("siren", sa.Text, nullable=False, server_default=""),
        sa.Column("postcode", sa.Text, nullable=False, server_default=""),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("email", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        sa.Column("consent", sa.Text),
        sa.Column("erased", sa.Text),
    )
    op.create_index("hotline_requests_status", "hotline_requests", ["status", "desk"])
    op.create_table(
        "hotline_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("hotline_events_request", "hotline_events", ["request_id", "id"])
    op.create_table(
        "hotline_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("request_id", sa.Integer),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("to_desk", sa.Text, nullable=False, server_default=""),
        sa.Column("to_address", sa.Text, nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("claimed", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("sent", sa.Text),
    )
    op.create_index("hotline_outbox_status", "hotline_outbox", ["status", "next_attempt"])
    op.create_table(
        "hotline_submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("hotline_submissions_client", "hotline_submissions", ["client", "at"])
