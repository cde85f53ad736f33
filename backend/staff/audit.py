"""The audit log: who did what to which object, when. Ids only, never personal values.

Rows are only ever added; the database refuses UPDATE and DELETE on ``audit_log``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.paging import page_of
from backend.staff.models import AuditEntry

#: The actions the app records; a new kind of access gets a name here first.
ACTIONS = (
    "read",
    "list",
    "search",
    "export",
    "decide",
    "assign",
    "reply",
    "close",
    "erase",
    "login",
    "note",
    "logout",
    "create",
    "update",
    "repay",
    "enroll",
    "cancel",
    "merge",
    "unlink",
)


async def record(
    session: AsyncSession,
    *,
    staff_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    at: datetime,
) -> None:
    """Add one row, in the caller's transaction, so the action and its record commit together."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEntry(
            staff_id=staff_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            at=at,
        )
    )


async def entries(
    session: AsyncSession,
    *,
    staff_id: int | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """The log, newest first, filtered on whichever of the fields are given."""
    query = select(AuditEntry)
    for value, column in (
        (staff_id, AuditEntry.staff_id),
        (action, AuditEntry.action),
        (object_type, AuditEntry.object_type),
        (object_id, AuditEntry.object_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return await page_of(
        session,
        query,
        order_by=(AuditEntry.at.desc(), AuditEntry.id.desc()),
        limit=limit,
        offset=offset,
    )
