"""Who is using the console: the session cookie, CSRF on every state-changing request, and
the same :class:`Principal` the API's ``CurrentStaff`` gives, so scope and role checks are the
services' own.

``ConsoleStaff`` is the dependency every page uses. On POST, PUT, PATCH and DELETE it also
checks the CSRF token: the form field ``csrf_token`` or the header ``X-CSRF-Token``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from backend.app.deps import RuntimeDep, SessionDep
from backend.console.i18n import LANGUAGE_COOKIE, from_accept_language, valid_language
from backend.console.models import ConsoleSession
from backend.console.render import PageContext
from backend.console.sessions import COOKIE, find_session
from backend.staff.service import Principal, load_principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class NotSignedIn(Exception):
    """No live session: pages redirect to the sign-in page, scripts get 401."""


def browser_language(request: Request, default: str) -> str:
    """Before sign-in: the language picked on the sign-in page, else the browser's."""
    chosen = valid_language(request.cookies.get(LANGUAGE_COOKIE))
    return chosen or from_accept_language(request.headers.get("accept-language"), default)


async def submitted_csrf(request: Request) -> str:
    """The CSRF token a request came with, from its header or its form."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, expected: str) -> None:
    """403 unless a state-changing request carries ``expected``."""
    if request.method in SAFE_METHODS:
        return
    given = await submitted_csrf(request)
    if not given or not secrets.compare_digest(given, expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")


async def console_session(
    request: Request, session: SessionDep, runtime: RuntimeDep
) -> ConsoleSession:
    """The live console session of this request, CSRF-checked; :class:`NotSignedIn` otherwise."""
    idle = timedelta(minutes=runtime.settings.console_session_idle_minutes)
    row = await find_session(
        session, token=request.cookies.get(COOKIE), idle=idle, now=runtime.clock()
    )
    await session.commit()
    if row is None:
        raise NotSignedIn
    await check_csrf(request, row.csrf_token)
    return row


CurrentConsoleSession = Annotated[ConsoleSession, Depends(console_session)]


async def console_staff(
    request: Request, session: SessionDep, row: CurrentConsoleSession
) -> Principal:
    """The signed-in member of staff; a deactivated account is signed out at once."""
    principal = await load_principal(session, staff_id=row.staff_id)
    if principal is None:
        raise NotSignedIn
    request.state.console = PageContext(
        staff=principal, lang=row.language, csrf_token=row.csrf_token
    )
    return principal


ConsoleStaff = Annotated[Principal, Depends(console_staff)]


def require_console_role(*roles: str) -> object:
    """A dependency that answers 403 unless the signed-in member of staff has one of ``roles``."""

    async def check(principal: ConsoleStaff) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not allowed for your role")
        return principal

    return Depends(check)


ConsoleSupervisor = Annotated[Principal, require_console_role("admin", "supervisor")]
ConsoleAdmin = Annotated[Principal, require_console_role("admin")]
