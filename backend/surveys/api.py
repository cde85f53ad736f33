"""The follow-up indicators per program, drawn from the surveys' answers."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentStaff
from backend.api.errors import responses
from backend.api.schemas import Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.staff.audit import record
from backend.surveys.schemas import IndicatorRead
from backend.surveys.service import indicators

router = APIRouter(tags=["reminders"])


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
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="indicator",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=found, total=len(found))
