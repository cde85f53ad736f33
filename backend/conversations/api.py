"""Messages the bot could not deliver and is holding for staff (WhatsApp outside the 24-hour
window with no template for their kind), or that failed for good: someone has to follow up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import exists, func, select

from backend.api.deps import PagingDep, Supervisor
from backend.api.errors import responses
from backend.api.guards import audit
from backend.api.schemas import Output, Page
from backend.app.deps import RuntimeDep, SessionDep
from backend.applications.models import Application
from backend.conversations.models import OutboxMessage
from backend.staff.scope import visible

router = APIRouter(tags=["outbox"])
Undelivered = Literal["held", "failed"]


class UndeliveredRead(Output):
    """A message that did not reach its person, without its text (personal data)."""

    id: int
    channel: str
    kind: str
    beneficiary_id: int | None
    status: str
    reason: str | None
    created_at: datetime


@router.get("/outbox", response_model=Page[UndeliveredRead], responses=responses(401, 403))
async def undelivered(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Supervisor,
    paging: PagingDep,
    state: Annotated[Undelivered, Query(alias="status")] = "held",
) -> Page[UndeliveredRead]:
    """Held or failed messages of people who applied to your programs (admins: everyone),
    newest first, with the reason each could not go."""
    query = select(OutboxMessage).where(OutboxMessage.status == state)
    if not principal.is_admin:
        query = query.where(
            exists().where(
                Application.beneficiary_id == OutboxMessage.beneficiary_id,
                visible(principal, Application.program),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(paging.limit).offset(paging.offset)
    )
    items = [
        UndeliveredRead(
            id=row.id,
            channel=row.channel,
            kind=str(row.payload.get("kind", "reply")),
            beneficiary_id=row.beneficiary_id,
            status=row.status,
            reason=row.last_error,
            created_at=row.created_at,
        )
        for row in rows
    ]
    await audit(
        session,
        principal,
        action="list",
        object_type="outbox",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))
