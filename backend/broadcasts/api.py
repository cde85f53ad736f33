"""Broadcasts: a message to a segment at a chosen time, with its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep, Supervisor
from backend.api.errors import conflict, not_found, responses
from backend.api.schemas import Page
from backend.app.deps import RuntimeDep, SessionDep
from backend.broadcasts import service as broadcasts
from backend.broadcasts.models import Broadcast
from backend.broadcasts.queries import find_broadcasts
from backend.broadcasts.schemas import BroadcastCreate, BroadcastRead, ReachRead, Segment
from backend.broadcasts.segments import count_segment, hidden_part
from backend.runtime import Runtime
from backend.staff.audit import record
from backend.staff.service import Principal

router = APIRouter(tags=["broadcasts"])
BroadcastId = Annotated[int, Path(ge=1, le=MAX_ID, description="The broadcast's id.")]


async def _broadcast(session: AsyncSession, principal: Principal, broadcast_id: int) -> Broadcast:
    """The broadcast, or 404 when unknown or outside the principal's programs."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not principal.sees(broadcast.program):
        raise not_found("broadcast")
    return broadcast


async def _reads(session: AsyncSession, rows: list[Broadcast]) -> list[BroadcastRead]:
    counts = await broadcasts.progress(session, [b.id for b in rows])
    return [
        BroadcastRead(
            id=b.id,
            program=b.program,
            segment=b.segment,
            text=b.texts,
            send_at=b.send_at,
            status=b.status,
            created_at=b.created_at,
            started_at=b.started_at,
            finished_at=b.finished_at,
            **vars(counts[b.id]),
        )
        for b in rows
    ]


async def _checked_segment(
    session: AsyncSession, runtime: Runtime, principal: Principal, body: Segment
) -> dict[str, Any]:
    """The segment as stored; 404 for a program or training session one may not see."""
    segment = body.model_dump(exclude_none=True)
    hidden = await hidden_part(session, principal, segment, programs=runtime.content.programs)
    if hidden is not None:
        raise not_found(hidden)
    return segment


@router.post("/broadcasts/reach", response_model=ReachRead, responses=responses(401, 403, 404))
async def segment_reach(
    body: Segment, session: SessionDep, runtime: RuntimeDep, principal: Supervisor
) -> ReachRead:
    """How many people a segment reaches now, before sending: those matching it, and those
    of them who would be sent the message (not stopped, not unreachable)."""
    segment = await _checked_segment(session, runtime, principal, body)
    reach = await count_segment(session, segment)
    return ReachRead(matching=reach.matching, reachable=reach.reachable, skipped=reach.skipped)


@router.post(
    "/broadcasts",
    status_code=status.HTTP_201_CREATED,
    response_model=BroadcastRead,
    responses=responses(401, 403, 404),
)
async def create_broadcast(
    body: BroadcastCreate, session: SessionDep, runtime: RuntimeDep, principal: Supervisor
) -> BroadcastRead:
    """Send a message to a segment at ``send_at`` (never in quiet hours: it waits for them to
    end). Without a program, the segment spans all programs: admins and supervisors only."""
    segment = await _checked_segment(session, runtime, principal, body.segment)
    now = runtime.clock()
    broadcast = await broadcasts.create_broadcast(
        session,
        segment=segment,
        texts={lang: text for lang, text in body.text.items()},
        send_at=body.send_at or now,
        staff_id=principal.id,
        now=now,
    )
    await record(
        session,
        staff_id=principal.id,
        action="create",
        object_type="broadcast",
        object_id=broadcast.id,
        at=now,
    )
    (read,) = await _reads(session, [broadcast])
    await session.commit()
    return read


@router.get("/broadcasts", response_model=Page[BroadcastRead], responses=responses(401))
async def list_broadcasts(
    session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff, paging: PagingDep
) -> Page[BroadcastRead]:
    """Broadcasts of your programs, newest first, with their progress."""
    rows, total = await find_broadcasts(
        session, principal=principal, limit=paging.limit, offset=paging.offset
    )
    items = await _reads(session, rows)
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="broadcast",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))


@router.get(
    "/broadcasts/{broadcast_id}", response_model=BroadcastRead, responses=responses(401, 404)
)
async def read_broadcast(
    broadcast_id: BroadcastId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> BroadcastRead:
    """A broadcast's progress: recipients, skipped (stop, unreachable), queued, sent, failed."""
    broadcast = await _broadcast(session, principal, broadcast_id)
    (read,) = await _reads(session, [broadcast])
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="broadcast",
        object_id=broadcast.id,
        at=runtime.clock(),
    )
    await session.commit()
    return read


@router.post(
    "/broadcasts/{broadcast_id}/cancel",
    response_model=BroadcastRead,
    responses=responses(401, 403, 404, 409),
)
async def cancel_broadcast(
    broadcast_id: BroadcastId, session: SessionDep, runtime: RuntimeDep, principal: Supervisor
) -> BroadcastRead:
    """Stop a broadcast: it queues nobody more, and what it queued and has not sent yet is
    not sent. 409 when nothing is left to stop."""
    await _broadcast(session, principal, broadcast_id)
    broadcast = await broadcasts.cancel_broadcast(session, broadcast_id=broadcast_id)
    if broadcast is None:
        raise conflict("the broadcast has nothing left to send")
    now = runtime.clock()
    broadcast.finished_at = now
    await record(
        session,
        staff_id=principal.id,
        action="cancel",
        object_type="broadcast",
        object_id=broadcast_id,
        at=now,
    )
    (read,) = await _reads(session, [broadcast])
    await session.commit()
    return read
