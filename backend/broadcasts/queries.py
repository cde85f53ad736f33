"""Reading broadcasts as staff see them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.broadcasts.models import Broadcast
from backend.db.paging import page_of
from backend.staff.scope import visible
from backend.staff.service import Principal


async def find_broadcasts(
    session: AsyncSession, *, principal: Principal, limit: int, offset: int
) -> tuple[list[Broadcast], int]:
    """Broadcasts of the principal's programs, newest first."""
    query = select(Broadcast).where(visible(principal, Broadcast.program))
    return await page_of(
        session, query, order_by=(Broadcast.id.desc(),), limit=limit, offset=offset
    )
