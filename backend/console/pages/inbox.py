"""The inbox, the console's landing page: open cases, filtered, kept live by the event stream
(the page re-reads its rows when an event arrives)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from backend.app.deps import RuntimeDep, SessionDep
from backend.console.auth import ConsoleStaff
from backend.console.pages.events import latest_event_id
from backend.console.render import render
from backend.console.views import inbox

router = APIRouter()
Show = Literal["mine", "unassigned", "all"]
CHANNELS = ("telegram", "whatsapp", "webchat")


async def _rows(
    session: SessionDep,
    principal: ConsoleStaff,
    show: Show,
    program: str | None,
    channel: str | None,
) -> list[object]:
    return list(
        await inbox(
            session,
            principal=principal,
            show=show,
            program=program or None,
            channel=channel if channel in CHANNELS else None,
        )
    )


@router.get("/", response_class=HTMLResponse)
async def inbox_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ConsoleStaff,
    show: Show = "all",
    program: Annotated[str | None, Query(max_length=40)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """Open cases, longest waiting first."""
    programs = sorted(code for code in runtime.content.programs if principal.sees(code))
    return render(
        request,
        "inbox.html",
        rows=await _rows(session, principal, show, program, channel),
        show=show,
        program=program or "",
        channel=channel or "",
        programs=programs,
        channels=CHANNELS,
        last_event=await latest_event_id(runtime),
    )


@router.get("/inbox/rows", response_class=HTMLResponse)
async def inbox_rows(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    show: Show = "all",
    program: Annotated[str | None, Query(max_length=40)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The inbox's rows alone, for the live refresh."""
    return render(
        request,
        "partials/inbox_rows.html",
        rows=await _rows(session, principal, show, program, channel),
    )
