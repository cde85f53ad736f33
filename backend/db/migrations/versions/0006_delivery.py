"""Delivery: CHECK constraints on statuses, roles and directions and on paid <= amount; the
indexes the outbox claim, the web chat's fetch and erasure use.

On SQLite a CHECK cannot be added without rebuilding the table, and a rebuild drops the old
table, which fires its foreign keys' ON DELETE actions (reminders would lose their outbox rows).
Triggers refuse the same rows instead, with the constraint's name in the error.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = "status IN ('queued', 'retry')"
APPLICATION_STATUSES = "('submitted', 'accepted', 'rejected', 'waitlisted', 'needs_info')"

#: (table, name, condition, the columns it reads): a frozen copy of backend/db/constraints.py.
CHECKS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "outbox",
        "ck_outbox_status",
        "status IN ('queued', 'retry', 'sent', 'failed', 'held', 'cancelled')",
        ("status",),
    ),
    (
        "outbox",
        "ck_outbox_delivery_status",
        "delivery_status IN ('sent', 'failed', 'delivered', 'read')",
        ("delivery_status",),
    ),
    ("applications", "ck_applications_status", f"status IN {APPLICATION_STATUSES}", ("status",)),
    (
        "application_events",
        "ck_application_events_status",
        f"status IN {APPLICATION_STATUSES}",
        ("status",),
    ),
    ("cases", "ck_cases_status", "status IN ('open', 'closed', 'cancelled')", ("status",)),
    ("case_messages", "ck_case_messages_direction", "direction IN ('in', 'out')", ("direction",)),
    ("staff", "ck_staff_role", "role IN ('admin', 'supervisor', 'agent')", ("role",)),
    ("loans", "ck_loans_status", "status IN ('active', 'repaid')", ("status",)),
    (
        "installments",
        "ck_installments_paid",
        "paid_minor >= 0 AND paid_minor <= amount_minor",
        ("paid_minor", "amount_minor"),
    ),
    ("trainings", "ck_trainings_status", "status IN ('scheduled', 'cancelled')", ("status",)),
    ("enrollments", "ck_enrollments_status", "status IN ('enrolled', 'cancelled')", ("status",)),
    ("enrollments", "ck_enrollments_source", "source IN ('staff', 'bot')", ("source",)),
    (
        "reminders",
        "ck_reminders_status",
        "status IN ('pending', 'sent', 'cancelled', 'skipped')",
        ("status",),
    ),
    (
        "broadcasts",
        "ck_broadcasts_status",
        "status IN ('scheduled', 'sending', 'done', 'expired', 'cancelled')",
        ("status",),
    ),
    (
        "broadcast_recipients",
        "ck_broadcast_recipients_status",
        "status IN ('queued', 'skipped', 'sent', 'failed', 'cancelled')",
        ("status",),
    ),
    (
        "surveys",
        "ck_surveys_status",
        "status IN ('pending', 'sent', 'answered', 'cancelled', 'skipped')",
        ("status",),
    ),
]

#: (name, table, columns, partial WHERE or None).
INDEXES: list[tuple[str, str, list[str], str | None]] = [
    ("ix_outbox_pending", "outbox", ["id"], PENDING),
    ("ix_outbox_pending_address", "outbox", ["channel", "address", "id"], PENDING),
    ("ix_outbox_channel_address", "outbox", ["channel", "address", "id"], None),
    ("ix_reminders_outbox_id", "reminders", ["outbox_id"], None),
    ("ix_broadcast_recipients_outbox_id", "broadcast_recipients", ["outbox_id"], None),
    ("ix_broadcast_recipients_beneficiary_id", "broadcast_recipients", ["beneficiary_id"], None),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        partial = {}
        if where is not None:
            partial = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
        op.create_index(name, table, columns, **partial)
    for table, name, condition, columns in CHECKS:
        if _sqlite():
            _create_check_triggers(table, name, condition, columns)
        else:
            op.create_check_constraint(op.f(name), table, condition)


def downgrade() -> None:
    for table, name, _condition, _columns in reversed(CHECKS):
        if _sqlite():
            op.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_update")
        else:
            op.drop_constraint(op.f(name), table, type_="check")
    for name, table, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)


def _create_check_triggers(
    table: str, name: str, condition: str, columns: tuple[str, ...]
) -> None:
    """A CHECK's effect on SQLite: refuse a row for which ``condition`` is false (NULL passes,
    as in a CHECK)."""
    new_condition = condition
    for column in columns:
        new_condition = new_condition.replace(column, f"NEW.{column}")
    refusal = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}')"
    body = f"WHEN NOT ({new_condition}) BEGIN {refusal}; END"
    op.execute(f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} {body}")
    op.execute(
        f"CREATE TRIGGER {name}_update BEFORE UPDATE OF {', '.join(columns)} ON {table} {body}"
    )
