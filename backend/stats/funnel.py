"""The application funnel per program: each person counted once per stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.dialect import insert_for
from backend.stats.models import FunnelStep

STAGES = ("started", "profile_done", "eligible", "submitted", "accepted")


async def record_step(
    session: AsyncSession, *, beneficiary_id: int | None, program: str, stage: str, now: datetime
) -> None:
    """Count a person at a stage once; a second time changes nothing.

    Nothing pending is flushed first: the statement reads nothing, and the person is a row
    already (a flush here, in the middle of an inbound batch, would write the earlier turns'
    changes in statements of their own)."""
    insert = insert_for(session)
    await session.execute(
        insert(FunnelStep)
        .values(beneficiary_id=beneficiary_id, program=program, stage=stage, at=now)
        .on_conflict_do_nothing(index_elements=["beneficiary_id", "program", "stage"])
        .execution_options(autoflush=False)
    )


async def funnel(session: AsyncSession) -> dict[str, dict[str, int]]:
    """``{program: {stage: people}}`` for every program with at least one step."""
    rows = await session.execute(
        select(FunnelStep.program, FunnelStep.stage, func.count()).group_by(
            FunnelStep.program, FunnelStep.stage
        )
    )
    result: dict[str, dict[str, int]] = {}
    for program, stage, count in rows:
        result.setdefault(program, dict.fromkeys(STAGES, 0))[stage] = count
    return result
