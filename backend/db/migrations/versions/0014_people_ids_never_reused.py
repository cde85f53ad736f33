"""people's ids are never given twice, so an undone merge gets its person back under their id

SQLite gives a new row the highest id plus one unless the table says AUTOINCREMENT: a person
absorbed by a merge (often the newest, so the highest id) would see their id handed to the
next newcomer, and undoing the merge could not restore them. PostgreSQL's sequences never
go back; there this changes nothing.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.json_text import indexed_json_text

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The rebuild does not carry the expression index over (env.py turns foreign keys off
    # around it, so nothing cascades): it is dropped and made again.
    op.drop_index("ix_beneficiaries_governorate", "beneficiaries")
    with op.batch_alter_table(
        "beneficiaries", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.create_index(
        "ix_beneficiaries_governorate",
        "beneficiaries",
        [indexed_json_text(sa.column("profile"), "governorate")],
    )


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
