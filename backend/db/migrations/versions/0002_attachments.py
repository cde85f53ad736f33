"""files a person sends, attached to applications and cases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    for table in ("applications", "cases"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("attachments", JSON, nullable=False, server_default=sa.text("'[]'"))
            )


def downgrade() -> None:
    for table in ("applications", "cases"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("attachments")
