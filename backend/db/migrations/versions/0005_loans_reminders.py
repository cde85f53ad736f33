"""loans, trainings, reminders, broadcasts and follow-up surveys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from backend.db.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "funds",
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("initial_capital_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("program", "currency", name=op.f("pk_funds")),
    )
    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("installments", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("first_due_date", sa.Date(), nullable=False),
        sa.Column("grace_periods", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("loans", "beneficiary_id", "beneficiaries", "SET NULL"),
        _fk("loans", "staff_id", "staff", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    op.create_index(op.f("ix_loans_program"), "loans", ["program"])
    op.create_index(op.f("ix_loans_beneficiary_id"), "loans", ["beneficiary_id"])
    op.create_table(
        "installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        _fk("installments", "loan_id", "loans", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installments")),
        sa.UniqueConstraint("loan_id", "number", name="uq_installments_loan_number"),
    )
    op.create_table(
        "repayments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("repayments", "loan_id", "loans", "CASCADE"),
        _fk("repayments", "staff_id", "staff", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repayments")),
    )
    op.create_index(op.f("ix_repayments_loan_id"), "repayments", ["loan_id"])
    op.create_table(
        "trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainings")),
    )
    op.create_index(op.f("ix_trainings_program"), "trainings", ["program"])
    op.create_index(op.f("ix_trainings_starts_at"), "trainings", ["starts_at"])
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("attendance", sa.String(16), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("enrollments", "training_id", "trainings", "CASCADE"),
        _fk("enrollments", "beneficiary_id", "beneficiaries", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("training_id", "beneficiary_id", name="uq_enrollments_person"),
    )
    op.create_index(op.f("ix_enrollments_beneficiary_id"), "enrollments", ["beneficiary_id"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("answer", sa.String(20), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("reminders", "beneficiary_id", "beneficiaries", "CASCADE"),
        _fk("reminders", "installment_id", "installments", "CASCADE"),
        _fk("reminders", "enrollment_id", "enrollments", "CASCADE"),
        _fk("reminders", "outbox_id", "outbox", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_due", "reminders", ["status", "due_at"])
    for column in ("program", "beneficiary_id", "installment_id", "enrollment_id"):
        op.create_index(op.f(f"ix_reminders_{column}"), "reminders", [column])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=True),
        sa.Column("segment", JSON, nullable=False),
        sa.Column("texts", JSON, nullable=False),
        sa.Column("send_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        _fk("broadcasts", "staff_id", "staff", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_index("ix_broadcasts_due", "broadcasts", ["status", "send_at"])
    op.create_index(op.f("ix_broadcasts_program"), "broadcasts", ["program"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("broadcast_recipients", "broadcast_id", "broadcasts", "CASCADE"),
        _fk("broadcast_recipients", "beneficiary_id", "beneficiaries", "SET NULL"),
        _fk("broadcast_recipients", "outbox_id", "outbox", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_recipients")),
        sa.UniqueConstraint(
            "broadcast_id", "beneficiary_id", name="uq_broadcast_recipients_person"
        ),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("answers", JSON, nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("surveys", "beneficiary_id", "beneficiaries", "SET NULL"),
        _fk("surveys", "application_id", "applications", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("application_id", "round", name="uq_surveys_application_round"),
    )
    op.create_index("ix_surveys_due", "surveys", ["status", "due_at"])
    op.create_index(op.f("ix_surveys_program"), "surveys", ["program"])
    op.create_index(op.f("ix_surveys_beneficiary_id"), "surveys", ["beneficiary_id"])


def downgrade() -> None:
    for table in (
        "surveys",
        "broadcast_recipients",
        "broadcasts",
        "reminders",
        "enrollments",
        "trainings",
        "repayments",
        "installments",
        "loans",
        "funds",
    ):
        op.drop_table(table)
