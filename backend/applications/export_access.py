"""An export as staff may take it: the programme is required unless one is an admin, another
programme is a 404, and every export is audited. The API and the console both call this."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.errors import not_found, unprocessable
from backend.applications import exports
from backend.applications import queries as views
from backend.runtime import Runtime
from backend.staff.audit import record
from backend.staff.service import Principal

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def checked_export(
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    filters: views.Filters,
) -> tuple[list[str], list[list[str]]]:
    """The rows of an export, after the scope checks; the export is audited."""
    if filters.program is None and not principal.is_admin:
        raise unprocessable(["query", "program"], "choose the program to export")
    if filters.program is not None and (
        filters.program not in runtime.content.programs or not principal.sees(filters.program)
    ):
        raise not_found("program")
    header, rows = await exports.export_rows(
        session,
        principal=principal,
        content=runtime.content,
        filters=filters,
        zone=runtime.settings.zone,
    )
    await record(
        session,
        staff_id=principal.id,
        action="export",
        object_type="application",
        object_id=filters.program or "all",
        at=runtime.clock(),
    )
    await session.commit()
    return header, rows
