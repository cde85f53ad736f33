"""People: search by name, phone or reference; a person's record; the file of their data they
can be given (right of access); erasure with a typed confirmation (supervisors and admins).

Scope is :func:`beneficiary_views.sees_person` and :func:`beneficiary_views.search`, as in the
API; a search, a read, a download and an erasure are each audited.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.console.auth import ConsoleStaff, ConsoleSupervisor
from backend.console.i18n import catalogs
from backend.console.pages.forms import PAGE_SIZE, page_number, runtime_of, translator_of
from backend.console.pages.not_found import console_not_found
from backend.console.person_export import export_file
from backend.console.person_record import person_record
from backend.console.render import render
from backend.people import queries as views
from backend.people.erasure import erase_beneficiary
from backend.people.models import Beneficiary
from backend.people.staff_merges import merges_of
from backend.staff.audit import record
from backend.staff.service import Principal

router = APIRouter()
PersonId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def _person(session: AsyncSession, principal: Principal, person_id: int) -> Beneficiary:
    """The person, or 404 when unknown or outside one's programs."""
    person = await session.get(Beneficiary, person_id)
    if person is None or not await views.sees_person(
        session, principal=principal, beneficiary_id=person_id
    ):
        raise console_not_found()
    return person


async def _audit(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    action: str,
    object_id: int | None,
) -> None:
    await record(
        session,
        staff_id=principal.id,
        action=action,
        object_type="beneficiary",
        object_id=object_id,
        at=runtime_of(request).clock(),
    )


@router.get("/people", response_class=HTMLResponse)
async def people_search(
    request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """Search; without a query, the people one may see, newest first."""
    q = (request.query_params.get("q") or "").strip()[:100] or None
    page = page_number(request.query_params.get("page"))
    people, total = await views.search(
        session, principal=principal, q=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    found = await views.summaries(session, principal=principal, ids=[p.id for p in people])
    channels = await views.channels_of(session, [p.id for p in people])
    await _audit(session, request, principal, "search", None)
    await session.commit()
    tr = translator_of(request)
    return render(
        request,
        "people/search.html",
        title=tr.gettext("People"),
        q=q or "",
        people=[(p, found[p.id], channels[p.id]) for p in people],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        query_for_page=lambda n: urlencode({"q": q or "", "page": n}),
        erased=request.query_params.get("erased") == "1",
    )


@router.get("/people/{person_id}", response_class=HTMLResponse)
async def person_page(
    person_id: PersonId, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """The record: profile, consent, applications, cases, loans, trainings, reminders."""
    runtime = runtime_of(request)
    person = await _person(session, principal, person_id)
    tr = translator_of(request)
    found = await person_record(
        session, principal=principal, person=person, content=runtime.content, tr=tr
    )
    await _audit(session, request, principal, "read", person.id)
    await session.commit()
    return render(
        request,
        "people/record.html",
        title=found.summary.full_name or f"#{person.id}",
        record=found,
        can_erase=principal.role in ("admin", "supervisor"),
        error=request.query_params.get("error"),
        merges=await merges_of(session, person_id=person.id),
        merged=request.query_params.get("merged"),
        unlinked=request.query_params.get("unlinked"),
    )


@router.get("/people/{person_id}/data.{kind}")
async def person_data(
    person_id: PersonId,
    kind: str,
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
) -> Response:
    """The person's data as a file for them, in their language: ``html`` or ``json``."""
    if kind not in ("html", "json"):
        raise console_not_found()
    runtime = runtime_of(request)
    person = await _person(session, principal, person_id)
    tr = catalogs(runtime.settings.locales_dir).get(person.language)
    found = await person_record(
        session, principal=principal, person=person, content=runtime.content, tr=tr
    )
    await _audit(session, request, principal, "export", person.id)
    await session.commit()
    body, media_type = export_file(found, tr, kind=kind, zone=runtime.settings.zone)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="massar-person-{person.id}.{kind}"'
        },
    )


@router.post("/people/{person_id}/erase")
async def person_erase(
    person_id: PersonId,
    request: Request,
    session: SessionDep,
    principal: ConsoleSupervisor,
    confirmation: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Erase with the erasure service once the person's number is typed exactly."""
    runtime = runtime_of(request)
    person = await _person(session, principal, person_id)
    if confirmation.strip().lstrip("#") != str(person.id):
        return RedirectResponse(f"/console/people/{person.id}?error=confirm", status_code=303)
    await erase_beneficiary(session, beneficiary_id=person.id, data_dir=runtime.settings.data_dir)
    await _audit(session, request, principal, "erase", person_id)
    await session.commit()
    return RedirectResponse("/console/people?erased=1", status_code=303)
