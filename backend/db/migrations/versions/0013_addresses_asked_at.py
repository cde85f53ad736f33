"""shared numbers: when "who is writing?" was last asked on an address

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("addresses") as batch:
        batch.add_column(sa.Column("asked_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("addresses") as batch:
        batch.drop_column("asked_at")
