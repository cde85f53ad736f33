"""Reading reminders as staff see them: the filtered list, and a person's latest ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.conversations.models import OutboxMessage
from backend.db.paging import total_of
from backend.loans.models import Installment
from backend.reminders.models import Reminder
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.trainings.models import Enrollment


async def find_reminders(
    session: AsyncSession,
    *,
    principal: Principal,
    state: str | None,
    program: str | None,
    kind: str | None,
    beneficiary_id: int | None,
    answered: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Reminder, int | None, int | None, str | None]], int]:
    """Reminders in the principal's programs, latest due first, each with its loan, its
    training and the status of the message that carried it."""
    query = (
        select(
            Reminder,
            Installment.loan_id,
            Enrollment.training_id,
            OutboxMessage.status.label("delivery"),
        )
        .outerjoin(Installment, Installment.id == Reminder.installment_id)
        .outerjoin(Enrollment, Enrollment.id == Reminder.enrollment_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Reminder.outbox_id)
        .where(visible(principal, Reminder.program))
    )
    for value, column in (
        (state, Reminder.status),
        (program, Reminder.program),
        (kind, Reminder.kind),
        (beneficiary_id, Reminder.beneficiary_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if answered is not None:
        query = query.where(
            Reminder.answer.is_not(None) if answered else Reminder.answer.is_(None)
        )
    total = await total_of(session, query)
    rows = await session.execute(
        query.order_by(Reminder.due_at.desc(), Reminder.id.desc()).limit(limit).offset(offset)
    )
    return [
        (r, loan_id, training_id, delivery) for r, loan_id, training_id, delivery in rows
    ], total


async def reminders_of(
    session: AsyncSession, *, principal: Principal, beneficiary_id: int
) -> list[dict[str, Any]]:
    """The person's reminders in one's programs, latest first, with their answers."""
    rows = await session.scalars(
        select(Reminder)
        .where(Reminder.beneficiary_id == beneficiary_id, visible(principal, Reminder.program))
        .order_by(Reminder.due_at.desc())
        .limit(100)
    )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "program": r.program,
            "due_at": r.due_at.isoformat(),
            "status": r.status,
            "answer": r.answer,
        }
        for r in rows
    ]
