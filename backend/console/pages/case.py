"""A case: the conversation, the reply box (free text or a canned reply in the person's
language), internal notes, assign / take / release, and close. Every action goes through the
same service functions and audit records as the API's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID
from backend.app.deps import RuntimeDep, SessionDep
from backend.cases import queries as case_views
from backend.cases.canned_replies import cached_canned_replies
from backend.cases.models import Case
from backend.cases.service import (
    CaseClosedError,
    assign_case,
    close_case,
    release_case,
    reply_to_case,
)
from backend.cases.signature import staff_signature
from backend.console.auth import ConsoleStaff, ConsoleSupervisor
from backend.console.case_view import conversation, whatsapp_window
from backend.console.models import CaseNote
from backend.console.pages.events import latest_event_id
from backend.console.render import render
from backend.console.views import display_name, typed_names
from backend.media.views import attachment_views
from backend.people.queries import addresses_of
from backend.staff.audit import record
from backend.staff.models import Staff, StaffProgram
from backend.staff.service import Principal, load_principal

router = APIRouter()
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def _case(session: AsyncSession, principal: Principal, case_id: int) -> Case:
    """The case, or 404 when it does not exist or is outside the principal's programmes."""
    case = await session.get(Case, case_id)
    if case is None or not principal.sees(case.program):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such case")
    return case


async def _audited(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    *,
    action: str,
    at: datetime,
    done: str,
    kick: Callable[[], None] | None = None,
) -> RedirectResponse:
    """Audit what staff did to the case, commit, wake the dispatcher if a message was queued,
    and go back to the case with ``done`` shown."""
    await record(
        session, staff_id=principal.id, action=action, object_type="case", object_id=case.id,
        at=at,
    )  # fmt: skip
    await session.commit()
    if kick is not None:
        kick()
    return _back(case.id, done)


def _back(case_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/cases/{case_id}?done={done}", status.HTTP_303_SEE_OTHER)


async def _assignable(session: AsyncSession, case: Case) -> list[Staff]:
    """Active staff who see the case's programme."""
    query = select(Staff).where(Staff.active.is_(True))
    if case.program is not None:
        members = select(StaffProgram.staff_id).where(StaffProgram.program == case.program)
        query = query.where(Staff.id.in_(members) | (Staff.role == "admin"))
    else:
        query = query.where(Staff.role.in_(("admin", "supervisor")))
    return list(await session.scalars(query.order_by(Staff.name, Staff.id)))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ConsoleStaff,
    done: str | None = None,
) -> HTMLResponse:
    """The case, its person and the whole conversation; the read is audited like the API's."""
    case = await _case(session, principal, case_id)
    person = await case_views.person(session, beneficiary_id=case.beneficiary_id)
    names = await typed_names(session, [person.id] if person else [])
    language = person.language if person else runtime.settings.default_language
    canned = [
        {"id": r.id, "title": r.title, "text": r.text.get(language)}
        for r in cached_canned_replies(runtime.settings.content_dir).root
    ]
    assignee = await session.get(Staff, case.assigned_to) if case.assigned_to else None
    page = render(
        request,
        "case.html",
        case=case,
        person=person,
        name=display_name(names.get(person.id) if person else None, person),
        entries=await conversation(session, case=case),
        attachments=await attachment_views(
            session, beneficiary_id=case.beneficiary_id, items=case.attachments or []
        ),
        canned=canned,
        window=whatsapp_window(person, runtime.clock()),
        addresses=await addresses_of(session, beneficiary_id=person.id) if person else [],
        assignee=assignee,
        staff_list=await _assignable(session, case) if principal.role != "agent" else [],
        done=done,
        last_event=await latest_event_id(runtime),
    )
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="case",
        object_id=case.id,
        at=runtime.clock(),
    )
    await session.commit()
    return page


@router.get("/cases/{case_id}/conversation", response_class=HTMLResponse)
async def case_conversation(
    case_id: CaseId, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """The conversation alone, for the live refresh."""
    case = await _case(session, principal, case_id)
    return render(
        request, "partials/conversation.html", entries=await conversation(session, case=case)
    )


@router.post("/cases/{case_id}/reply")
async def reply(
    case_id: CaseId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ConsoleStaff,
    text: Annotated[str, Form(max_length=4000)] = "",
    canned: Annotated[str, Form(max_length=64)] = "",
) -> RedirectResponse:
    """Send a reply, signed with the staff member's first name and team."""
    case = await _case(session, principal, case_id)
    person = await case_views.person(session, beneficiary_id=case.beneficiary_id)
    if case.status != "open" or person is None:
        return _back(case.id, "closed")
    if canned:
        found = cached_canned_replies(runtime.settings.content_dir).get(canned)
        if found is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="no such reply")
        text = found.text.get(person.language)
    if not text.strip():
        return _back(case.id, "empty")
    now = runtime.clock()
    signature = await staff_signature(
        session,
        staff_id=principal.id,
        program=case.program,
        language=person.language,
        content=runtime.content,
        catalogs=runtime.engine.catalogs,
    )
    try:
        await reply_to_case(
            session,
            case=case,
            staff_id=principal.id,
            text=text.strip(),
            signature=signature,
            now=now,
        )
    except CaseClosedError:
        return _back(case.id, "closed")
    return await _audited(
        session, principal, case, action="reply", at=now, done="sent", kick=runtime.dispatcher.kick
    )


@router.post("/cases/{case_id}/note")
async def add_note(
    case_id: CaseId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ConsoleStaff,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> RedirectResponse:
    """An internal note: staff see it on the case, the person never does."""
    case = await _case(session, principal, case_id)
    if not text.strip():
        return _back(case.id, "empty")
    now = runtime.clock()
    session.add(
        CaseNote(case_id=case.id, staff_id=principal.id, text=text.strip(), created_at=now)
    )
    return await _audited(session, principal, case, action="note", at=now, done="noted")


async def _assign(
    session: AsyncSession, runtime: RuntimeDep, principal: Principal, case: Case, target_id: int
) -> RedirectResponse:
    target = await load_principal(session, staff_id=target_id)
    if target is None or not target.sees(case.program):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="cannot see this case")
    now = runtime.clock()
    try:
        await assign_case(session, case=case, staff_id=target.id, now=now)
    except CaseClosedError:
        return _back(case.id, "closed")
    return await _audited(session, principal, case, action="assign", at=now, done="assigned")


@router.post("/cases/{case_id}/take")
async def take(
    case_id: CaseId, session: SessionDep, runtime: RuntimeDep, principal: ConsoleStaff
) -> RedirectResponse:
    """Take the case for oneself."""
    case = await _case(session, principal, case_id)
    return await _assign(session, runtime, principal, case, principal.id)


@router.post("/cases/{case_id}/assign")
async def assign(
    case_id: CaseId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ConsoleSupervisor,
    staff_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> RedirectResponse:
    """Give the case to a member of staff who sees it (supervisors and admins)."""
    case = await _case(session, principal, case_id)
    return await _assign(session, runtime, principal, case, staff_id)


@router.post("/cases/{case_id}/release")
async def release(
    case_id: CaseId, session: SessionDep, runtime: RuntimeDep, principal: ConsoleStaff
) -> RedirectResponse:
    """Give the case back to the team (whoever has it, or a supervisor)."""
    case = await _case(session, principal, case_id)
    if case.assigned_to != principal.id and principal.role == "agent":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not your case")
    now = runtime.clock()
    try:
        await release_case(session, case=case)
    except CaseClosedError:
        return _back(case.id, "closed")
    return await _audited(session, principal, case, action="assign", at=now, done="released")


@router.post("/cases/{case_id}/close")
async def close(
    case_id: CaseId, session: SessionDep, runtime: RuntimeDep, principal: ConsoleStaff
) -> RedirectResponse:
    """Close the case: the bot takes over and asks the person how satisfied they are."""
    case = await _case(session, principal, case_id)
    now = runtime.clock()
    try:
        await close_case(
            session, engine=runtime.engine, case=case, now=now, zone=runtime.settings.zone
        )
    except CaseClosedError:
        return _back(case.id, "closed")
    return await _audited(
        session,
        principal,
        case,
        action="close",
        at=now,
        done="closed",
        kick=runtime.dispatcher.kick,
    )
