"""The audit log (admins): who did what to which object, when; filterable."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from backend.app.deps import SessionDep
from backend.console.auth import ConsoleAdmin
from backend.console.pages.forms import (
    PAGE_SIZE,
    choice,
    day,
    page_number,
    runtime_of,
    translator_of,
    whole,
)
from backend.console.render import render
from backend.staff.audit import ACTIONS
from backend.staff.audit_views import AuditFilters, audit_page, staff_names

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(
    request: Request, session: SessionDep, principal: ConsoleAdmin
) -> HTMLResponse:
    """Newest first; filters by action, member of staff and days."""
    runtime = runtime_of(request)
    query = request.query_params
    filters = AuditFilters(
        action=choice(query.get("action"), ACTIONS),
        staff_id=whole(query.get("staff")),
        day_from=day(query.get("from")),
        day_to=day(query.get("to")),
    )
    page = page_number(query.get("page"))
    rows, total = await audit_page(
        session,
        filters=filters,
        zone=runtime.settings.zone,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    kept = {
        "action": filters.action or "",
        "staff": filters.staff_id or "",
        "from": filters.day_from.isoformat() if filters.day_from else "",
        "to": filters.day_to.isoformat() if filters.day_to else "",
    }
    return render(
        request,
        "audit/list.html",
        title=translator_of(request).gettext("Audit log"),
        rows=rows,
        total=total,
        filters=filters,
        actions=ACTIONS,
        staff=await staff_names(session),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        query_for_page=lambda n: urlencode({**kept, "page": n}),
    )
