"""The audit log as admins browse it: filtered by action, member of staff and days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.staff.models import AuditEntry, Staff


@dataclass(frozen=True)
class AuditFilters:
    """Days are whole days in the deployment's time zone, inclusive."""

    action: str | None = None
    staff_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


async def audit_page(
    session: AsyncSession, *, filters: AuditFilters, zone: ZoneInfo, limit: int, offset: int
) -> tuple[list[tuple[AuditEntry, str | None]], int]:
    """One page of entries, newest first, with the staff member's name, and the total."""
    query = select(AuditEntry, Staff.name).outerjoin(Staff, Staff.id == AuditEntry.staff_id)
    if filters.action is not None:
        query = query.where(AuditEntry.action == filters.action)
    if filters.staff_id is not None:
        query = query.where(AuditEntry.staff_id == filters.staff_id)
    if filters.day_from is not None:
        query = query.where(AuditEntry.at >= _start(filters.day_from, zone))
    if filters.day_to is not None:
        query = query.where(AuditEntry.at < _start(filters.day_to + timedelta(days=1), zone))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return [(entry, name) for entry, name in rows], int(total or 0)


async def staff_names(session: AsyncSession) -> dict[int, str]:
    """Every member of staff, for the filter."""
    rows = await session.execute(select(Staff.id, Staff.name).order_by(Staff.name))
    return {int(i): str(n) for i, n in rows}
