"""Applications: filtered lists, detail with answers and history, decisions, and exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep, Supervisor
from backend.api.errors import not_found, responses, unprocessable
from backend.api.schemas import Identifier, Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.applications import exports
from backend.applications import queries as views
from backend.applications.decisions import DecisionError, decide
from backend.applications.export_access import CSV_TYPE, XLSX_TYPE, checked_export
from backend.applications.models import Application
from backend.applications.schemas import (
    AnswerRead,
    ApplicationDetail,
    ApplicationRead,
    DecisionCreate,
    EventRead,
    Status,
)
from backend.staff.audit import record
from backend.staff.service import Principal

router = APIRouter(tags=["applications"])
ApplicationId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The application's id.", examples=[1])
]


def filters(
    program: ProgramCode | None = None,
    status: Status | None = None,
    governorate: Annotated[
        Identifier | None, Query(description="A governorate option id, e.g. `kasserine`.")
    ] = None,
    submitted_from: Annotated[date | None, Query(description="First day, inclusive.")] = None,
    submitted_to: Annotated[date | None, Query(description="Last day, inclusive.")] = None,
) -> views.Filters:
    """The filters lists and exports share."""
    return views.Filters(program, status, governorate, submitted_from, submitted_to)


FiltersDep = Annotated[views.Filters, Depends(filters)]


def _read(application: Application, governorate: str | None) -> ApplicationRead:
    return ApplicationRead.of(application, governorate)


async def _application(session: AsyncSession, principal: Principal, app_id: int) -> Application:
    """The application, or 404 when it does not exist or is outside the principal's programs."""
    application = await session.get(Application, app_id)
    if application is None or not principal.sees(application.program):
        raise not_found("application")
    return application


@router.get("/applications", response_model=Page[ApplicationRead], responses=responses(401))
async def list_applications(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    paging: PagingDep,
    filters: FiltersDep,
) -> Page[ApplicationRead]:
    """Applications in your programs, newest first."""
    rows, total = await views.list_applications(
        session,
        principal=principal,
        filters=filters,
        zone=runtime.settings.zone,
        limit=paging.limit,
        offset=paging.offset,
    )
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="application",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=[_read(a, g) for a, g in rows], total=total)


def _file(content: Any, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _file_responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "The file: a header line, then one row per application.",
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(401, 404),
    }


@router.get(
    "/applications/export.csv",
    response_class=Response,
    responses=_file_responses("text/csv"),
)
async def export_csv(
    session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff, filters: FiltersDep
) -> Response:
    """CSV of the applications of a program (all programs for admins), one column per field."""
    header, rows = await checked_export(session, runtime, principal, filters)
    return _file(exports.to_csv(header, rows), CSV_TYPE, "applications.csv")


@router.get(
    "/applications/export.xlsx",
    response_class=Response,
    responses=_file_responses(XLSX_TYPE),
)
async def export_xlsx(
    session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff, filters: FiltersDep
) -> Response:
    """The same as the CSV export, as an Excel workbook."""
    header, rows = await checked_export(session, runtime, principal, filters)
    return _file(exports.to_xlsx(header, rows), XLSX_TYPE, "applications.xlsx")


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationDetail,
    responses=responses(401, 404),
)
async def read_application(
    application_id: ApplicationId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> ApplicationDetail:
    """An application with its answers in form order, its attachments and its history."""
    application = await _application(session, principal, application_id)
    governorate = await views.governorate_of(session, beneficiary_id=application.beneficiary_id)
    detail = ApplicationDetail.model_validate(
        {
            **_read(application, governorate).model_dump(),
            "answers": [
                AnswerRead.model_validate(a)
                for a in views.answers_in_form_order(runtime.content, application)
            ],
            "attachments": application.attachments or [],
            "events": [
                EventRead.model_validate(e)
                for e in await views.history(session, application_id=application.id)
            ],
        }
    )
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="application",
        object_id=application.id,
        at=runtime.clock(),
    )
    await session.commit()
    return detail


@router.post(
    "/applications/{application_id}/decision",
    response_model=ApplicationRead,
    responses=responses(400, 401, 403, 404),
)
async def decision(
    application_id: ApplicationId,
    body: DecisionCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Supervisor,
) -> ApplicationRead:
    """Decide; the person is told in their language, and with ``needs_info`` the bot asks
    them for exactly the ``fields`` given."""
    application = await _application(session, principal, application_id)
    now = runtime.clock()
    try:
        await decide(
            session,
            engine=runtime.engine,
            application=application,
            status=body.status,
            note=body.note,
            fields=list(dict.fromkeys(body.fields)),
            staff_id=principal.id,
            now=now,
            zone=runtime.settings.zone,
        )
    except DecisionError as exc:
        raise unprocessable(["body", "fields"], str(exc)) from exc
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
    governorate = await views.governorate_of(session, beneficiary_id=application.beneficiary_id)
    return _read(application, governorate)
