"""The audit log, for admins, read-only: the app has no route that changes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import Admin, PagingDep
from backend.api.errors import responses
from backend.api.schemas import Id, Identifier, Page
from backend.app.deps import SessionDep
from backend.staff.audit import entries
from backend.staff.schemas import AuditRead

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditRead], responses=responses(401, 403))
async def list_audit(
    session: SessionDep,
    principal: Admin,
    paging: PagingDep,
    staff_id: Id | None = None,
    action: Identifier | None = None,
    object_type: Identifier | None = None,
    object_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] = None,
) -> Page[AuditRead]:
    """Who did what to which object, and when; newest first."""
    rows, total = await entries(
        session,
        staff_id=staff_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(items=[AuditRead.model_validate(r) for r in rows], total=total)
