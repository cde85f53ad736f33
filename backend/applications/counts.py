"""How many applications there are per status, under the same scope and filters as the list."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.applications.queries import Filters, counted
from backend.staff.service import Principal


async def status_counts(
    session: AsyncSession, *, principal: Principal, filters: Filters, zone: ZoneInfo
) -> dict[str, int]:
    """Applications per status for the filters other than the status itself."""
    query = counted(principal, replace(filters, status=None), zone, Application.status)
    # Grouped by program too, so the (program, status) index gives both the rows and the order.
    rows = await session.execute(
        query.add_columns(Application.program).group_by(Application.program, Application.status)
    )
    counts: dict[str, int] = {}
    for status, count, _program in rows:
        counts[str(status)] = counts.get(str(status), 0) + int(count)
    return counts
