"""Whether staff have a person's conversation (an open case): while they do, the bot is
silent and the person's messages go to them. One rule, read alone or inside another query."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from backend.cases.models import Case


def open_case_exists(person_id: ColumnElement[int] | QueryableAttribute[int] | int) -> Exists:
    """``EXISTS`` an open case of ``person_id`` (a value, or a column of an outer query)."""
    return select(Case.id).where(Case.beneficiary_id == person_id, Case.status == "open").exists()


async def has_open_case(session: AsyncSession, person_id: int) -> bool:
    """Whether ``person_id`` has an open case now."""
    return bool(await session.scalar(select(open_case_exists(person_id))))
