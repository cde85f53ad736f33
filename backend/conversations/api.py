"""Messages the bot could not deliver and is holding for staff (WhatsApp outside the 24-hour
window with no template for their kind), or that failed for good: someone has to follow up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from backend.api.deps import PagingDep, Supervisor
from backend.api.errors import responses
from backend.api.schemas import Output, Page
from backend.app.deps import RuntimeDep, SessionDep
from backend.conversations import queries
from backend.staff.audit import record

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
    rows, total = await queries.undelivered(
        session, principal=principal, status=state, limit=paging.limit, offset=paging.offset
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
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="outbox",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))
