"""outbox rows are written many to a statement on SQLite too

SQLAlchemy writes several rows in one ``INSERT ... RETURNING`` only when it can tell which id
went to which row; SQLite does not promise the order of ``RETURNING``, so each reply was its
own statement there. An insert sentinel column (the row's place in its statement) lets
SQLAlchemy match them. PostgreSQL wrote them together already; the column is nullable and
needs no rewrite of the table on either.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("insert_sentinel", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "insert_sentinel")  # SQLite drops a column itself since 3.35
