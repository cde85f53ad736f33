"""delivery statuses reported by the channel, and their lookup by the channel's message id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("delivery_status", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("delivery_updated_at", UTCDateTime(), nullable=True))
    op.create_index("ix_outbox_channel_external_id", "outbox", ["channel", "external_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_external_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("delivery_updated_at")
        batch_op.drop_column("delivery_status")
