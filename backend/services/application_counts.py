"""How many applications there are per status, under the same scope and filters as the list."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.services.application_views import Filters, filtered
from backend.services.staff import Principal


async def status_counts(
    session: AsyncSession, *, principal: Principal, filters: Filters, zone: ZoneInfo
) -> dict[str, int]:
    """Applications per status for the filters other than the status itself."""
    query = filtered(principal, replace(filters, status=None), zone).subquery()
    rows = await session.execute(select(query.c.status, func.count()).group_by(query.c.status))
    return {str(status): int(count) for status, count in rows}
