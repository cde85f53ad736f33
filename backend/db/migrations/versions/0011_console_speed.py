"""staff console speed: the governorate filter's index, the person search's trigram indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.json_text import indexed_json_text, json_text

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: PostgreSQL only: name, expression searched with ``LIKE '%text%'``.
TRIGRAM = {
    "ix_applications_reference_trgm": sa.func.lower(sa.column("reference")),
    "ix_applications_full_name_trgm": sa.func.lower(json_text(sa.column("answers"), "full_name")),
    "ix_applications_phone_trgm": indexed_json_text(sa.column("answers"), "phone"),
}


def upgrade() -> None:
    op.create_index(
        "ix_beneficiaries_governorate",
        "beneficiaries",
        [indexed_json_text(sa.column("profile"), "governorate")],
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM.items():
        op.create_index(
            name,
            "applications",
            [expression.label("searched")],
            postgresql_using="gin",
            postgresql_ops={"searched": "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM:
            op.drop_index(name, "applications")
    op.drop_index("ix_beneficiaries_governorate", "beneficiaries")
