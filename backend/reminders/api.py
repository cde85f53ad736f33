"""Reminders as staff see them (with the person's answers), and the follow-up indicators."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep
from backend.api.errors import responses
from backend.api.guards import audit
from backend.api.schemas import Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.conversations.models import OutboxMessage
from backend.loans.models import Installment
from backend.reminders.models import Reminder
from backend.staff.scope import visible
from backend.surveys.service import indicators
from backend.trainings.models import Enrollment
from backend.trainings.schemas import IndicatorRead, ReminderRead

router = APIRouter(tags=["reminders"])
ReminderStatus = Literal["pending", "sent", "cancelled", "skipped"]


@router.get("/reminders", response_model=Page[ReminderRead], responses=responses(401))
async def list_reminders(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    paging: PagingDep,
    state: Annotated[ReminderStatus | None, Query(alias="status")] = None,
    program: ProgramCode | None = None,
    kind: Annotated[str | None, Query(max_length=30, pattern=r"^[a-z_]+$")] = None,
    beneficiary_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    answered: Annotated[bool | None, Query(description="Only those with an answer.")] = None,
) -> Page[ReminderRead]:
    """Reminders in your programs, by due time (latest first): status, reason, delivery, and
    the person's answer (``paid``, ``coming``, ``not_coming``)."""
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
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Reminder.due_at.desc(), Reminder.id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
    )
    items = [
        ReminderRead.model_validate(
            {
                **{k: getattr(r, k) for k in ReminderRead.model_fields if hasattr(r, k)},
                "loan_id": loan_id,
                "training_id": training_id,
                "delivery": delivery,
            }
        )
        for r, loan_id, training_id, delivery in rows
    ]
    await audit(
        session,
        principal,
        action="list",
        object_type="reminder",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))


@router.get("/indicators", response_model=Page[IndicatorRead], responses=responses(401))
async def list_indicators(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    program: ProgramCode | None = None,
) -> Page[IndicatorRead]:
    """Per program, from the follow-up surveys: surveys sent, responses, jobs created, median
    monthly revenue, trainings attended, and average satisfaction (1-5)."""
    mine = None if principal.is_admin else sorted(principal.programs)
    if program is not None:
        mine = [program] if principal.sees(program) else []
    found = [IndicatorRead.model_validate(i) for i in await indicators(session, programs=mine)]
    await audit(
        session,
        principal,
        action="list",
        object_type="indicator",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=found, total=len(found))
