"""Reminder rows follow their schedule: created with a loan or an enrolment, cancelled by a
repayment, moved with a session. All in the caller's transaction.

Each row's ``due_at`` is already out of quiet hours; the tick checks again when it sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.loans.models import Installment, Loan
from backend.reminders.models import Reminder
from backend.reminders.policy import TRAINING_KINDS, ReminderPolicy, repayment_kind
from backend.trainings.models import Enrollment, Training


def training_due(policy: ReminderPolicy, kind: str, starts_at: datetime) -> datetime:
    """When a session's reminder goes: postponed out of quiet hours, unless that would be
    after the session starts; then it goes just before quiet hours began (the evening before).
    """
    scheduled = starts_at - TRAINING_KINDS[kind]
    due = policy.effective(scheduled)
    if due >= starts_at:
        due = policy.quiet.last_allowed_before(scheduled, policy.zone)
    return due


def _still_useful(policy: ReminderPolicy, kind: str, due_at: datetime, now: datetime) -> bool:
    """A reminder already past its grace period when planned would only be skipped."""
    return due_at + policy.grace_for(kind) >= now


async def plan_loan_reminders(
    session: AsyncSession,
    *,
    loan: Loan,
    installments: Sequence[Installment],
    policy: ReminderPolicy,
    now: datetime,
) -> int:
    """A reminder per installment and offset (``-3, 0, +3`` days by default)."""
    if loan.beneficiary_id is None:
        return 0
    rows = []
    for installment in installments:
        for offset in policy.offsets_for(loan.program):
            kind = repayment_kind(offset)
            scheduled = policy.local_moment(installment.due_on + timedelta(days=offset))
            due = policy.effective(scheduled)
            if not _still_useful(policy, kind, due, now):
                continue
            rows.append(
                Reminder(
                    kind=kind,
                    program=loan.program,
                    beneficiary_id=loan.beneficiary_id,
                    installment_id=installment.id,
                    scheduled_at=scheduled,
                    due_at=due,
                    status="pending",
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def plan_enrollment_reminders(
    session: AsyncSession,
    *,
    enrollment: Enrollment,
    training: Training,
    policy: ReminderPolicy,
    now: datetime,
    kinds: Iterable[str] = tuple(TRAINING_KINDS),
) -> int:
    """The day-before and two-hours reminders of one enrolment."""
    rows = []
    for kind in kinds:
        due = training_due(policy, kind, training.starts_at)
        if not _still_useful(policy, kind, due, now) or due >= training.starts_at:
            continue
        rows.append(
            Reminder(
                kind=kind,
                program=training.program,
                beneficiary_id=enrollment.beneficiary_id,
                enrollment_id=enrollment.id,
                scheduled_at=training.starts_at - TRAINING_KINDS[kind],
                due_at=due,
                status="pending",
                version=training.schedule_version,
                created_at=now,
                updated_at=now,
            )
        )
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def move_training_reminders(
    session: AsyncSession, *, training: Training, policy: ReminderPolicy, now: datetime
) -> None:
    """After a session moved: pending reminders move with it (their version grows), and a
    reminder already sent for the old time is planned again for the new one."""
    enrollments = list(
        await session.scalars(
            select(Enrollment).where(
                Enrollment.training_id == training.id, Enrollment.status == "enrolled"
            )
        )
    )
    if not enrollments:
        return
    pending = list(
        await session.scalars(
            select(Reminder).where(
                Reminder.enrollment_id.in_([e.id for e in enrollments]),
                Reminder.status == "pending",
            )
        )
    )
    planned: set[tuple[int, str]] = set()
    for reminder in pending:
        assert reminder.enrollment_id is not None  # noqa: S101 - selected on it
        due = training_due(policy, reminder.kind, training.starts_at)
        reminder.scheduled_at = training.starts_at - TRAINING_KINDS[reminder.kind]
        reminder.due_at = due
        reminder.version = training.schedule_version
        reminder.updated_at = now
        if due >= training.starts_at or not _still_useful(policy, reminder.kind, due, now):
            reminder.status, reminder.reason = "cancelled", "rescheduled"
        planned.add((reminder.enrollment_id, reminder.kind))
    for enrollment in enrollments:
        missing = [kind for kind in TRAINING_KINDS if (enrollment.id, kind) not in planned]
        if missing:
            await plan_enrollment_reminders(
                session,
                enrollment=enrollment,
                training=training,
                policy=policy,
                now=now,
                kinds=missing,
            )
    await session.flush()


async def cancel_reminders(
    session: AsyncSession,
    *,
    reason: str,
    now: datetime,
    installment_ids: Sequence[int] = (),
    enrollment_ids: Sequence[int] = (),
) -> int:
    """Cancel the pending reminders of these installments or enrolments."""
    total = 0
    for column, ids in (
        (Reminder.installment_id, installment_ids),
        (Reminder.enrollment_id, enrollment_ids),
    ):
        if not ids:
            continue
        result = await session.execute(
            update(Reminder)
            .where(column.in_(list(ids)), Reminder.status == "pending")
            .values(status="cancelled", reason=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total
