"""Applications: the filtered list with counts per status, the detail with labelled answers,
attachments and history, the decision form, and the CSV and XLSX exports.

Scope, roles, decisions and exports are the API's own service calls; reads are audited the
same way (``list`` and ``read`` of ``application``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.applications import exports
from backend.applications import queries as views
from backend.applications.counts import status_counts
from backend.applications.decisions import DECISIONS, DecisionError, decide
from backend.applications.export_access import CSV_TYPE, XLSX_TYPE, checked_export
from backend.applications.labels import answer_labels, program_name
from backend.applications.models import Application
from backend.console.auth import ConsoleStaff, ConsoleSupervisor
from backend.console.pages.forms import (
    PAGE_SIZE,
    choice,
    day,
    page_number,
    runtime_of,
    translator_of,
)
from backend.console.pages.not_found import console_not_found
from backend.console.render import render
from backend.media.views import attachment_views
from backend.staff.audit import record
from backend.staff.models import Staff
from backend.staff.service import Principal

router = APIRouter()
STATUSES = ("submitted", *DECISIONS)
ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _filters(request: Request) -> views.Filters:
    runtime = runtime_of(request)
    query = request.query_params
    return views.Filters(
        program=choice(query.get("program"), runtime.content.programs),
        status=choice(query.get("status"), STATUSES),
        governorate=choice(query.get("governorate"), set(governorate_options(request))),
        submitted_from=day(query.get("submitted_from")),
        submitted_to=day(query.get("submitted_to")),
    )


def governorate_options(request: Request) -> dict[str, str]:
    """Governorate ids and their names in the viewer's language."""
    runtime = runtime_of(request)
    question = runtime.content.profile_question("governorate")
    lang = translator_of(request).lang
    return {o.id: o.label.get(lang) for o in question.options} if question else {}


def _query_of(filters: views.Filters) -> dict[str, str]:
    values = {
        "program": filters.program,
        "status": filters.status,
        "governorate": filters.governorate,
        "submitted_from": filters.submitted_from and filters.submitted_from.isoformat(),
        "submitted_to": filters.submitted_to and filters.submitted_to.isoformat(),
    }
    return {k: v for k, v in values.items() if v}


@router.get("/applications", response_class=HTMLResponse)
async def application_list(
    request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """The list: filters, counts per status, one page of applications newest first."""
    runtime = runtime_of(request)
    filters = _filters(request)
    page = page_number(request.query_params.get("page"))
    zone = runtime.settings.zone
    rows, total = await views.list_applications(
        session,
        principal=principal,
        filters=filters,
        zone=zone,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    counts = await status_counts(session, principal=principal, filters=filters, zone=zone)
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="application",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    tr = translator_of(request)
    query = _query_of(filters)
    return render(
        request,
        "applications/list.html",
        title=tr.gettext("Applications"),
        rows=[
            {
                "application": a,
                "program": program_name(runtime.content, tr, a.program),
                "governorate": governorate_options(request).get(g or "", g or ""),
                "name": (a.answers or {}).get("full_name"),
            }
            for a, g in rows
        ],
        total=total,
        counts=counts,
        statuses=STATUSES,
        filters=filters,
        programs={
            code: program_name(runtime.content, tr, code)
            for code in runtime.content.programs
            if principal.sees(code)
        },
        governorates=governorate_options(request),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        query=urlencode(query),
        query_for_page=lambda n: urlencode({**query, "page": n}),
        can_export=principal.is_admin or filters.program is not None,
    )


async def _visible(session: AsyncSession, principal: Principal, app_id: int) -> Application:
    """The application, or the console's 404 when unknown or of another program."""
    application = await session.get(Application, app_id)
    if application is None or not principal.sees(application.program):
        raise console_not_found()
    return application


@router.get("/applications/export.csv")
async def export_csv(request: Request, session: SessionDep, principal: ConsoleStaff) -> Response:
    """The API's CSV export with the list's filters."""
    runtime = runtime_of(request)
    header, rows = await checked_export(session, runtime, principal, _filters(request))
    return _file(exports.to_csv(header, rows), CSV_TYPE, "applications.csv")


@router.get("/applications/export.xlsx")
async def export_xlsx(request: Request, session: SessionDep, principal: ConsoleStaff) -> Response:
    """The API's XLSX export with the list's filters."""
    runtime = runtime_of(request)
    header, rows = await checked_export(session, runtime, principal, _filters(request))
    return _file(exports.to_xlsx(header, rows), XLSX_TYPE, "applications.xlsx")


def _file(content: str | bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def application_detail(
    application_id: ApplicationId, request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """One application: labelled answers, attachments, history, and the decision form."""
    runtime = runtime_of(request)
    application = await _visible(session, principal, application_id)
    tr = translator_of(request)
    governorate = await views.governorate_of(session, beneficiary_id=application.beneficiary_id)
    events = await views.history(session, application_id=application.id)
    staff_ids = {e.staff_id for e in events if e.staff_id is not None}
    names = dict(
        (await session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids)))).all()
    )
    files = await attachment_views(
        session, beneficiary_id=application.beneficiary_id, items=application.attachments or []
    )
    program = runtime.content.programs.get(application.program)
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="application",
        object_id=application.id,
        at=runtime.clock(),
    )
    await session.commit()
    return render(
        request,
        "applications/detail.html",
        title=application.reference,
        application=application,
        program=program_name(runtime.content, tr, application.program),
        governorate=governorate_options(request).get(governorate or "", governorate),
        answers=answer_labels(
            runtime.content, tr, program=application.program, answers=application.answers or {}
        ),
        files=files,
        events=events,
        staff_names=names,
        decisions=DECISIONS,
        form_fields=[
            (q.id, (q.summary_label or q.prompt).get(tr.lang)) for q in (program.form or [])
        ]
        if program
        else [],
        can_decide=principal.role in ("admin", "supervisor"),
        error=request.query_params.get("error"),
    )


@router.post("/applications/{application_id}/decision")
async def application_decision(
    application_id: ApplicationId,
    request: Request,
    session: SessionDep,
    principal: ConsoleSupervisor,
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
    fields: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Decide with the decision service; the person is told in their language."""
    runtime = runtime_of(request)
    application = await _visible(session, principal, application_id)
    now = runtime.clock()
    try:
        await decide(
            session,
            engine=runtime.engine,
            application=application,
            status=status,
            note=note.strip() or None,
            fields=list(dict.fromkeys(fields or [])),
            staff_id=principal.id,
            now=now,
            zone=runtime.settings.zone,
        )
    except DecisionError:
        await session.rollback()
        target = f"/console/applications/{application_id}?error=decision"
        return RedirectResponse(target, status_code=303)
    await record(
        session,
        staff_id=principal.id,
        action="decide",
        object_type="application",
        object_id=application.id,
        at=now,
    )
    await session.commit()
    runtime.dispatcher.kick()
    return RedirectResponse(f"/console/applications/{application_id}", status_code=303)
