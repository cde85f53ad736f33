"""Reading trainings as staff see them: the list, a session's enrolments."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.paging import page_of
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.trainings.models import Enrollment, Training


async def find_trainings(
    session: AsyncSession,
    *,
    principal: Principal,
    program: str | None,
    after: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[Training], int]:
    """Sessions in the principal's programs, soonest first; ``after`` hides earlier ones."""
    query = select(Training).where(visible(principal, Training.program))
    if program:
        query = query.where(Training.program == program)
    if after is not None:
        query = query.where(Training.starts_at > after)
    return await page_of(
        session, query, order_by=(Training.starts_at, Training.id), limit=limit, offset=offset
    )


async def enrollments_of(session: AsyncSession, training_id: int) -> list[Enrollment]:
    """A session's enrolments, in the order they were made."""
    rows = await session.scalars(
        select(Enrollment).where(Enrollment.training_id == training_id).order_by(Enrollment.id)
    )
    return list(rows)


async def programs_of(session: AsyncSession, training_ids: Collection[int]) -> list[str]:
    """The program of each session that exists among ``training_ids``."""
    found = await session.scalars(select(Training.program).where(Training.id.in_(training_ids)))
    return list(found)
