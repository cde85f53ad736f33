"""Readable application references, ``IESS-2026-00042``, numbered per program and year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import ReferenceCounter
from backend.db.dialect import insert_for


async def next_reference(session: AsyncSession, *, prefix: str, year: int) -> str:
    """The next reference for ``prefix`` in ``year``; atomic, so two processes never share one."""
    insert = insert_for(session)
    statement = (
        insert(ReferenceCounter)
        .values(prefix=prefix, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.prefix, ReferenceCounter.year],
            set_={"last": ReferenceCounter.last + 1},
        )
        .returning(ReferenceCounter.last)
    )
    number = (await session.execute(statement)).scalar_one()
    return f"{prefix}-{year}-{number:05d}"
