"""The reminder tick: claim due reminders in batches and turn each into one outbox message.

One transaction per batch claims the rows, renders them, inserts their outbox rows and marks
them sent (or cancelled, skipped, postponed). A crash anywhere in it rolls everything back,
so a reminder is never lost and never queued twice; the outbox dispatcher then delivers
within each channel's rate limit and records the result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.outbox import queue_many
from backend.db.claim import claim_due
from backend.loans.models import Installment, Loan
from backend.people.addresses import addresses_on
from backend.people.models import Address, Beneficiary
from backend.reminders.models import Reminder
from backend.reminders.policy import ReminderPolicy
from backend.reminders.texts import repayment_reminder, training_reminder
from backend.trainings.models import Enrollment, Training
from conversations.i18n import Catalogs
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    """What a tick did, by outcome (counts only: no personal data in logs)."""

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    skipped: int = 0
    postponed: int = 0

    def add(self, other: ReminderReport) -> None:
        """Sum another batch's counts into this one."""
        for name in ("claimed", "sent", "cancelled", "skipped", "postponed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class _Context:
    people: dict[int, Beneficiary]
    installments: dict[int, tuple[Installment, Loan]]
    enrollments: dict[int, tuple[Enrollment, Training]]
    later: set[int]
    #: The address on the preferred channel, for people who have one.
    routes: dict[int, Address]


async def run_reminders(
    sessions: async_sessionmaker[AsyncSession],
    *,
    catalogs: Catalogs,
    policy: ReminderPolicy,
    now: datetime,
    max_batches: int = 1000,
) -> ReminderReport:
    """Batches until no due reminder is left (or ``max_batches``, to bound one tick)."""
    report = ReminderReport()
    for _ in range(max_batches):
        batch = await reminder_batch(sessions, catalogs=catalogs, policy=policy, now=now)
        report.add(batch)
        if batch.claimed < policy.batch_size:
            break
    if report.claimed:
        logger.info("reminder tick: %s", report)
    return report


async def reminder_batch(
    sessions: async_sessionmaker[AsyncSession],
    *,
    catalogs: Catalogs,
    policy: ReminderPolicy,
    now: datetime,
) -> ReminderReport:
    """Claim and settle one batch, in one transaction."""
    report = ReminderReport()
    async with sessions() as session, session.begin():
        due = and_(Reminder.status == "pending", Reminder.due_at <= now)
        rows = await claim_due(
            session, Reminder, due=due, order_by=Reminder.due_at, limit=policy.batch_size
        )
        report.claimed = len(rows)
        if not rows:
            return report
        context = await _load(session, rows, policy, now)
        outgoing: list[tuple[Reminder, Beneficiary, Outgoing]] = []
        for reminder in rows:
            verdict = _verdict(reminder, context, policy, now)
            if verdict == "postpone":
                reminder.due_at = policy.effective(now)
                report.postponed += 1
            elif verdict is not None:
                reminder.status = "skipped" if verdict in SKIP_REASONS else "cancelled"
                reminder.reason = verdict
                report.skipped += reminder.status == "skipped"
                report.cancelled += reminder.status == "cancelled"
            else:
                person = context.people[reminder.beneficiary_id]
                route = context.routes.get(person.id)
                language = route.language if route else person.language
                message = _render(reminder, context, catalogs, policy, now, language)
                outgoing.append((reminder, person, message))
        outbox_ids = await queue_many(
            session,
            [(person, message) for _, person, message in outgoing],
            now=now,
            to={pid: (a.channel, a.address) for pid, a in context.routes.items()},
        )
        for (reminder, _, _), outbox_id in zip(outgoing, outbox_ids, strict=True):
            reminder.status, reminder.sent_at, reminder.outbox_id = "sent", now, outbox_id
        report.sent = len(outgoing)
        for reminder in rows:
            reminder.claim_token = None
            reminder.updated_at = now
    return report


#: Reasons that mean "too late" rather than "no longer wanted".
SKIP_REASONS = frozenset({"past_grace", "superseded", "started", "quiet_hours"})


def _verdict(
    reminder: Reminder, context: _Context, policy: ReminderPolicy, now: datetime
) -> str | None:
    """``None`` to send now, ``"postpone"``, or the reason to cancel or skip it."""
    person = context.people.get(reminder.beneficiary_id)
    if person is None:
        return "erased"
    if person.reminders_opt_out:
        return "opted_out"
    if person.unreachable:
        return "unreachable"
    starts_at = None
    if reminder.installment_id is not None:
        found = context.installments.get(reminder.installment_id)
        if found is None or found[0].paid_minor >= found[0].amount_minor:
            return "paid"
    elif reminder.enrollment_id is not None:
        found_enrollment = context.enrollments.get(reminder.enrollment_id)
        if found_enrollment is None:
            return "unenrolled"
        enrollment, training = found_enrollment
        if enrollment.status != "enrolled":
            return "unenrolled"
        if training.status != "scheduled":
            return "training_cancelled"
        if enrollment.attendance == "not_coming":
            return "not_coming"
        starts_at = training.starts_at
        if starts_at <= now:
            return "started"
    if now > reminder.due_at + policy.grace_for(reminder.kind):
        return "past_grace"
    if reminder.id in context.later:
        return "superseded"
    if policy.quiet.is_quiet(now, policy.zone):
        if starts_at is not None and policy.effective(now) >= starts_at:
            return "quiet_hours"
        return "postpone"
    return None


def _render(
    reminder: Reminder,
    context: _Context,
    catalogs: Catalogs,
    policy: ReminderPolicy,
    now: datetime,
    language: str,
) -> Outgoing:
    tr = catalogs.get(language)
    today = policy.today(now)
    if reminder.installment_id is not None:
        installment, loan = context.installments[reminder.installment_id]
        return repayment_reminder(
            tr,
            reminder_id=reminder.id,
            amount_minor=installment.amount_minor - installment.paid_minor,
            currency=loan.currency,
            due_on=installment.due_on,
            today=today,
        )
    assert reminder.enrollment_id is not None  # noqa: S101 - checked by _verdict
    _, training = context.enrollments[reminder.enrollment_id]
    return training_reminder(
        tr,
        reminder_id=reminder.id,
        title=training.title,
        location=training.location,
        starts_local=training.starts_at.astimezone(policy.zone),
        today=today,
    )


async def _load(
    session: AsyncSession, rows: Sequence[Reminder], policy: ReminderPolicy, now: datetime
) -> _Context:
    """Everything the batch needs, in a few queries."""
    people = await session.scalars(
        select(Beneficiary).where(Beneficiary.id.in_({r.beneficiary_id for r in rows}))
    )
    installment_ids = {r.installment_id for r in rows if r.installment_id is not None}
    enrollment_ids = {r.enrollment_id for r in rows if r.enrollment_id is not None}
    installments: dict[int, tuple[Installment, Loan]] = {}
    if installment_ids:
        found = await session.execute(
            select(Installment, Loan)
            .join(Loan, Loan.id == Installment.loan_id)
            .where(Installment.id.in_(installment_ids))
        )
        installments = {i.id: (i, loan) for i, loan in found}
    enrollments: dict[int, tuple[Enrollment, Training]] = {}
    if enrollment_ids:
        found_enrollments = await session.execute(
            select(Enrollment, Training)
            .join(Training, Training.id == Enrollment.training_id)
            .where(Enrollment.id.in_(enrollment_ids))
        )
        enrollments = {e.id: (e, t) for e, t in found_enrollments}
    later = await _superseded(session, rows, installment_ids, enrollment_ids, policy, now)
    by_id = {p.id: p for p in people}
    routes = await addresses_on(session, by_id, policy.channel) if policy.channel else {}
    return _Context(by_id, installments, enrollments, later, routes)


async def _superseded(
    session: AsyncSession,
    rows: Sequence[Reminder],
    installment_ids: set[int],
    enrollment_ids: set[int],
    policy: ReminderPolicy,
    now: datetime,
) -> set[int]:
    """Reminders with a later one for the same installment or session also due now.

    After downtime only the latest goes, so the person never gets a burst of three
    reminders about one payment.
    """
    if not installment_ids and not enrollment_ids:
        return set()
    siblings = await session.execute(
        select(
            Reminder.id,
            Reminder.kind,
            Reminder.installment_id,
            Reminder.enrollment_id,
            Reminder.scheduled_at,
            Reminder.due_at,
        ).where(
            Reminder.status == "pending",
            Reminder.due_at <= now,
            or_(
                Reminder.installment_id.in_(installment_ids),
                Reminder.enrollment_id.in_(enrollment_ids),
            ),
        )
    )
    latest: dict[tuple[str, int], datetime] = {}
    for row in siblings:
        if now > row.due_at + policy.grace_for(row.kind):
            continue
        key = _subject(row.installment_id, row.enrollment_id)
        if key not in latest or row.scheduled_at > latest[key]:
            latest[key] = row.scheduled_at
    return {
        r.id
        for r in rows
        if (key := _subject(r.installment_id, r.enrollment_id)) in latest
        and r.scheduled_at < latest[key]
    }


def _subject(installment_id: int | None, enrollment_id: int | None) -> tuple[str, int]:
    if installment_id is not None:
        return ("installment", installment_id)
    return ("enrollment", enrollment_id or 0)
