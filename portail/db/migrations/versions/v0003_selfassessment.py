"""The export self-assessment's anonymous takes: answers under a random token, with no
personal data; the scores of the take before, to show what changed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selfassessments",
        sa.Column("token", sa.Text, primary_key=True),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
        sa.Column("draft", sa.Text),
        sa.Column("answers", sa.Text),
        sa.Column("finished", sa.Text),
        sa.Column("previous", sa.Text),
    )
    op.create_index("selfassessments_updated", "selfassessments", ["updated"])


def downgrade() -> None:
    op.drop_index("selfassessments_updated", "selfassessments")
    op.drop_table("selfassessments")
