"""CHECK constraints and the indexes the delivery path needs, declared once for the models.

The allowed values of every status, role and direction column, and ``paid <= amount``, so that
a typo in code fails at the write instead of leaving a row no query finds. Migration 0006
creates the same (it keeps its own frozen copy, as migrations must): real CHECK constraints on
PostgreSQL; on SQLite, where adding one means rebuilding the table (and its foreign keys'
cascades would fire), triggers that refuse the same rows with the constraint's name.

The partial indexes cover only unsent outbox rows (``queued``, ``retry``), a small set at any
outbox size: the dispatcher's claim walks ``ix_outbox_pending`` and checks "an earlier row to
the same address is waiting" on ``ix_outbox_pending_address``. Queries must spell the status
test as literal SQL (:data:`OUTBOX_PENDING_SQL`) for SQLite to see that the index applies.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, MetaData, text
from sqlalchemy.sql.elements import conv

OUTBOX_PENDING_SQL = "status IN ('queued', 'retry')"

APPLICATION_STATUSES = "('submitted', 'accepted', 'rejected', 'waitlisted', 'needs_info')"

#: table -> constraint name -> condition.
CHECKS: dict[str, dict[str, str]] = {
    "outbox": {
        "ck_outbox_status": (
            "status IN ('queued', 'retry', 'sent', 'failed', 'held', 'cancelled')"
        ),
        "ck_outbox_delivery_status": (
            "delivery_status IN ('sent', 'failed', 'delivered', 'read')"
        ),
    },
    "applications": {"ck_applications_status": f"status IN {APPLICATION_STATUSES}"},
    "application_events": {"ck_application_events_status": f"status IN {APPLICATION_STATUSES}"},
    "cases": {"ck_cases_status": "status IN ('open', 'closed', 'cancelled')"},
    "case_messages": {"ck_case_messages_direction": "direction IN ('in', 'out')"},
    "staff": {"ck_staff_role": "role IN ('admin', 'supervisor', 'agent')"},
    "loans": {"ck_loans_status": "status IN ('active', 'repaid')"},
    "installments": {"ck_installments_paid": "paid_minor >= 0 AND paid_minor <= amount_minor"},
    "trainings": {"ck_trainings_status": "status IN ('scheduled', 'cancelled')"},
    "enrollments": {
        "ck_enrollments_status": "status IN ('enrolled', 'cancelled')",
        "ck_enrollments_source": "source IN ('staff', 'bot')",
    },
    "reminders": {"ck_reminders_status": "status IN ('pending', 'sent', 'cancelled', 'skipped')"},
    "broadcasts": {
        "ck_broadcasts_status": (
            "status IN ('scheduled', 'sending', 'done', 'expired', 'cancelled')"
        )
    },
    "broadcast_recipients": {
        "ck_broadcast_recipients_status": (
            "status IN ('queued', 'skipped', 'sent', 'failed', 'cancelled')"
        )
    },
    "person_merges": {"ck_person_merges_merged_by": "merged_by IN ('person', 'staff')"},
    "surveys": {
        "ck_surveys_status": "status IN ('pending', 'sent', 'answered', 'cancelled', 'skipped')"
    },
}

#: name -> (table, columns, partial WHERE or None).
INDEXES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "ix_outbox_pending": ("outbox", ("id",), OUTBOX_PENDING_SQL),
    "ix_outbox_pending_address": ("outbox", ("channel", "address", "id"), OUTBOX_PENDING_SQL),
    "ix_outbox_channel_address": ("outbox", ("channel", "address", "id"), None),
    "ix_reminders_outbox_id": ("reminders", ("outbox_id",), None),
    "ix_broadcast_recipients_outbox_id": ("broadcast_recipients", ("outbox_id",), None),
    "ix_broadcast_recipients_beneficiary_id": ("broadcast_recipients", ("beneficiary_id",), None),
}


def register(metadata: MetaData) -> None:
    """Attach the constraints and indexes to the models' tables (once)."""
    for table_name, checks in CHECKS.items():
        table = metadata.tables[table_name]
        present = {c.name for c in table.constraints}
        for name, condition in checks.items():
            if name not in present:
                table.append_constraint(CheckConstraint(condition, name=conv(name)))
    for name, (table_name, columns, where) in INDEXES.items():
        table = metadata.tables[table_name]
        if any(index.name == name for index in table.indexes):
            continue
        index = Index(name, *(table.c[c] for c in columns))
        if where is not None:
            index.dialect_options["sqlite"]["where"] = text(where)
            index.dialect_options["postgresql"]["where"] = text(where)
