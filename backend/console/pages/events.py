"""``GET /console/events``: Server-Sent Events for open inboxes and case pages.

Each event's id is the ``console_events`` row id, so a browser that lost the connection
reconnects by itself with ``Last-Event-ID`` and is sent what it missed. A comment every
15 seconds keeps proxies from closing an idle stream. Events name a case and what happened
to it, never a person; the page fetches what it shows through the usual scoped views.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import delete, func, select

from backend.app.deps import RuntimeDep
from backend.console.auth import ConsoleStaff, CurrentConsoleSession
from backend.console.models import ConsoleEvent
from backend.console.sessions import COOKIE, find_session
from backend.runtime import Runtime
from backend.staff.service import Principal, load_principal

router = APIRouter()
HEARTBEAT_SECONDS = 15.0
#: How often the stream checks the session is still alive (signed out, expired, deactivated).
RECHECK_SECONDS = 30.0
BATCH = 200
#: Events older than this are deleted when a stream opens: a browser away that long reloads.
KEEP_EVENTS = timedelta(days=2)
#: How far below the newest id sent a late-committed event is still picked up.
LATE_COMMIT_IDS = 50


async def latest_event_id(runtime: Runtime) -> int:
    """The newest event's id: a page rendered now has seen everything up to it."""
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.max(ConsoleEvent.id))) or 0)


async def _still_signed_in(runtime: Runtime, token: str | None, staff_id: int) -> bool:
    idle = timedelta(minutes=runtime.settings.console_session_idle_minutes)
    async with runtime.sessions() as session:
        row = await find_session(session, token=token, idle=idle, now=runtime.clock(), touch=False)
        principal = await load_principal(session, staff_id=staff_id) if row else None
        await session.commit()
    return principal is not None


async def _ids_after(runtime: Runtime, low: int) -> list[ConsoleEvent]:
    async with runtime.sessions() as session:
        return list(
            await session.scalars(
                select(ConsoleEvent)
                .where(ConsoleEvent.id > low)
                .order_by(ConsoleEvent.id)
                .limit(BATCH)
            )
        )


async def _stream(
    request: Request, runtime: Runtime, principal: Principal, cursor: int
) -> AsyncIterator[str]:
    """Events after ``cursor``. Ids are handed out before commit, so on PostgreSQL an event can
    become visible after a higher one was sent: the stream looks :data:`LATE_COMMIT_IDS` below
    its cursor again each time and sends what it had not seen."""
    poll = runtime.settings.console_events_poll_seconds
    token = request.cookies.get(COOKIE)
    last_sent = last_check = time.monotonic()
    seen = {row.id for row in await _ids_after(runtime, cursor - LATE_COMMIT_IDS)}
    seen = {i for i in seen if i <= cursor}
    yield "retry: 3000\n\n"
    while not await request.is_disconnected():
        low = max(cursor - LATE_COMMIT_IDS, 0)
        rows = [row for row in await _ids_after(runtime, low) if row.id not in seen]
        for row in rows:
            seen.add(row.id)
            cursor = max(cursor, row.id)
            if principal.sees(row.program):
                data = json.dumps({"kind": row.kind, "case": row.case_id})
                yield f"id: {row.id}\nevent: {row.kind}\ndata: {data}\n\n"
                last_sent = time.monotonic()
        seen = {i for i in seen if i > cursor - LATE_COMMIT_IDS}
        now = time.monotonic()
        if now - last_check > RECHECK_SECONDS:
            last_check = now
            if not await _still_signed_in(runtime, token, principal.id):
                yield "event: signed-out\ndata: {}\n\n"
                return
        if now - last_sent > HEARTBEAT_SECONDS:
            last_sent = now
            yield ": keep-alive\n\n"
        if not rows:
            await asyncio.sleep(poll)


@router.get("/events")
async def events(
    request: Request,
    runtime: RuntimeDep,
    principal: ConsoleStaff,
    _session: CurrentConsoleSession,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Events after ``Last-Event-ID`` (a reconnection), else after ``after`` (the id the page
    was rendered with), else from now on."""
    cursor: int | None = None
    if last_event_id and last_event_id.isdigit():
        cursor = int(last_event_id)
    elif after is not None:
        cursor = after
    if cursor is None:
        cursor = await latest_event_id(runtime)
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            delete(ConsoleEvent).where(ConsoleEvent.at < runtime.clock() - KEEP_EVENTS)
        )
    return StreamingResponse(
        _stream(request, runtime, principal, cursor),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
