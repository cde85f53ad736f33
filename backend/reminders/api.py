"""Reminders as staff see them, with the person's answers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep
from backend.api.errors import responses
from backend.api.schemas import Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.reminders.queries import find_reminders
from backend.reminders.schemas import ReminderRead
from backend.staff.audit import record

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
    rows, total = await find_reminders(
        session,
        principal=principal,
        state=state,
        program=program,
        kind=kind,
        beneficiary_id=beneficiary_id,
        answered=answered,
        limit=paging.limit,
        offset=paging.offset,
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
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="reminder",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))
