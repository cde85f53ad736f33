"""staff console: training attendance

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_training_attendance_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        _fk("training_id", "trainings", "CASCADE"),
        _fk("beneficiary_id", "beneficiaries", "SET NULL"),
        _fk("staff_id", "staff", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance")),
        sa.UniqueConstraint("training_id", "beneficiary_id", name="uq_training_attendance_person"),
    )
    op.create_index(
        op.f("ix_training_attendance_training_id"), "training_attendance", ["training_id"]
    )
    op.create_index(
        op.f("ix_training_attendance_beneficiary_id"), "training_attendance", ["beneficiary_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_training_attendance_beneficiary_id"), "training_attendance")
    op.drop_index(op.f("ix_training_attendance_training_id"), "training_attendance")
    op.drop_table("training_attendance")
