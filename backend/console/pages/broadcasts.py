"""Broadcasts: compose one with the segment builder and a text per language, see how many
people it reaches before sending, send it now or at a time, follow its progress live, cancel it.

The same services as the API (:mod:`backend.broadcasts.service`, :mod:`~.segments`): the
segment is checked by :func:`~backend.broadcasts.segments.hidden_part` (another programme's
training is a 404), composing and cancelling are for supervisors and admins, and creating,
reading, listing and cancelling are audited like the API's. The progress poll is not audited:
it is the page already read, refreshed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.broadcasts import service as broadcasts
from backend.broadcasts.models import Broadcast
from backend.broadcasts.segments import count_segment, hidden_part
from backend.console.auth import ConsoleStaff, ConsoleSupervisor
from backend.console.broadcast_form import (
    APPLICATION_STATUSES,
    LANGUAGE_NAMES,
    LIMITS,
    ProgressView,
    options_of,
    progress_view,
    segment_from,
    texts_from,
)
from backend.console.pages.forms import runtime_of, translator_of
from backend.console.pages.not_found import console_not_found
from backend.console.render import render
from backend.staff.audit import record
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.trainings.models import Training
from conversations.content_schema import LANGUAGES

router = APIRouter()
BroadcastId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = 50


async def _broadcast(session: AsyncSession, principal: Principal, broadcast_id: int) -> Broadcast:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not principal.sees(broadcast.program):
        raise console_not_found()
    return broadcast


async def _progress(session: AsyncSession, rows: list[Broadcast]) -> dict[int, ProgressView]:
    counts = await broadcasts.progress(session, [b.id for b in rows])
    views = {}
    for b in rows:
        expected = None
        if b.status in ("scheduled", "sending"):
            expected = (await count_segment(session, b.segment)).matching
        views[b.id] = progress_view(b.status, counts[b.id], expected)
    return views


async def _composer(
    request: Request, session: AsyncSession, principal: Principal
) -> dict[str, Any]:
    """What the segment builder offers: the viewer's programmes and their coming sessions."""
    runtime = runtime_of(request)
    trainings = await session.scalars(
        select(Training)
        .where(visible(principal, Training.program), Training.status == "scheduled")
        .order_by(Training.starts_at.desc())
        .limit(100)
    )
    return {
        "programs": [p for p in sorted(runtime.content.programs) if principal.sees(p)],
        "everyone": principal.sees(None),
        "statuses": APPLICATION_STATUSES,
        "governorates": options_of(runtime.content, "governorate"),
        "countries": options_of(runtime.content, "country"),
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "trainings": list(trainings),
        "limits": LIMITS,
        "labels": _option_labels(request),
    }


def _option_labels(request: Request) -> dict[str, str]:
    """Governorate and country names in the viewer's language, from the profile content."""
    runtime, lang = runtime_of(request), translator_of(request).lang
    labels = {}
    for question in ("governorate", "country"):
        found = runtime.content.profile_question(question)
        for option in found.options if found is not None else []:
            labels[option.id] = option.label.get(lang)
    return labels


@router.get("/broadcasts", response_class=HTMLResponse)
async def broadcasts_page(
    request: Request, session: SessionDep, principal: ConsoleStaff, error: str | None = None
) -> HTMLResponse:
    """The broadcasts of one's programmes, newest first, and the composer."""
    rows = list(
        await session.scalars(
            select(Broadcast)
            .where(visible(principal, Broadcast.program))
            .order_by(Broadcast.id.desc())
            .limit(PAGE)
        )
    )
    progress = await _progress(session, rows)
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="broadcast",
        object_id=None,
        at=runtime_of(request).clock(),
    )
    await session.commit()
    composer = await _composer(request, session, principal)
    can_send = principal.role in ("admin", "supervisor")
    return render(
        request,
        "broadcasts/list.html",
        section="broadcasts",
        rows=rows,
        progress=progress,
        can_send=can_send,
        error=error,
        **composer,
    )


@router.post("/broadcasts/reach")
async def reach(
    request: Request, session: SessionDep, principal: ConsoleSupervisor
) -> JSONResponse:
    """How many people the segment in the form reaches now (the composer's count)."""
    segment = segment_from(await request.form(), runtime_of(request).content)
    if await hidden_part(
        session, principal, segment, programs=runtime_of(request).content.programs
    ):
        raise console_not_found()
    found = await count_segment(session, segment)
    return JSONResponse(
        {"matching": found.matching, "reachable": found.reachable, "skipped": found.skipped}
    )


def _send_at(value: str, request: Request) -> datetime | None:
    """A ``datetime-local`` field, in the deployment's zone; ``None`` when blank or wrong."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=runtime_of(request).settings.zone)


@router.post("/broadcasts", response_model=None)
async def create(
    request: Request, session: SessionDep, principal: ConsoleSupervisor
) -> RedirectResponse:
    """Schedule the broadcast (now, or at the time given) and show its progress."""
    runtime = runtime_of(request)
    form = await request.form()
    segment = segment_from(form, runtime.content)
    if await hidden_part(session, principal, segment, programs=runtime.content.programs):
        raise console_not_found()
    texts = texts_from(form)
    now = runtime.clock()
    send_at = (
        now if form.get("when") != "later" else _send_at(str(form.get("send_at", "")), request)
    )
    problem = "text" if not texts else "time" if send_at is None or send_at < now else None
    if problem is not None:
        return RedirectResponse(f"/console/broadcasts?error={problem}", status.HTTP_303_SEE_OTHER)
    assert send_at is not None  # noqa: S101 - checked just above
    broadcast = await broadcasts.create_broadcast(
        session, segment=segment, texts=texts, send_at=send_at, staff_id=principal.id, now=now
    )
    await record(
        session,
        staff_id=principal.id,
        action="create",
        object_type="broadcast",
        object_id=broadcast.id,
        at=now,
    )
    await session.commit()
    return RedirectResponse(f"/console/broadcasts/{broadcast.id}", status.HTTP_303_SEE_OTHER)


@router.get("/broadcasts/{broadcast_id}", response_class=HTMLResponse)
async def detail(
    request: Request, session: SessionDep, principal: ConsoleStaff, broadcast_id: BroadcastId
) -> HTMLResponse:
    """One broadcast: its segment, its texts, its live progress and the cancel button."""
    broadcast = await _broadcast(session, principal, broadcast_id)
    progress = (await _progress(session, [broadcast]))[broadcast.id]
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="broadcast",
        object_id=broadcast.id,
        at=runtime_of(request).clock(),
    )
    await session.commit()
    return render(
        request,
        "broadcasts/detail.html",
        section="broadcasts",
        broadcast=broadcast,
        progress=progress,
        can_cancel=principal.role in ("admin", "supervisor")
        and (
            broadcast.status in ("scheduled", "sending")
            or (broadcast.status == "done" and progress.queued > 0)
        ),
        labels=_option_labels(request),
    )


@router.get("/broadcasts/{broadcast_id}/progress")
async def progress_json(
    request: Request, session: SessionDep, principal: ConsoleStaff, broadcast_id: BroadcastId
) -> JSONResponse:
    """The counts the progress bar polls for."""
    broadcast = await _broadcast(session, principal, broadcast_id)
    view = (await _progress(session, [broadcast]))[broadcast.id]
    body = view.as_json()
    # Due in more than a minute: the page may look less often.
    body["waiting"] = broadcast.status == "scheduled" and broadcast.send_at > (
        runtime_of(request).clock() + timedelta(minutes=1)
    )
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/broadcasts/{broadcast_id}/cancel", response_model=None)
async def cancel(
    request: Request, session: SessionDep, principal: ConsoleSupervisor, broadcast_id: BroadcastId
) -> RedirectResponse:
    """Stop it: nobody more is queued, and what is queued and unsent is not sent."""
    await _broadcast(session, principal, broadcast_id)
    now = runtime_of(request).clock()
    stopped = await broadcasts.cancel_broadcast(session, broadcast_id=broadcast_id)
    if stopped is not None:
        stopped.finished_at = now
        await record(
            session,
            staff_id=principal.id,
            action="cancel",
            object_type="broadcast",
            object_id=broadcast_id,
            at=now,
        )
    await session.commit()
    return RedirectResponse(f"/console/broadcasts/{broadcast_id}", status.HTTP_303_SEE_OTHER)
