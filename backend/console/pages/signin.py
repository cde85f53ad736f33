"""Sign-in, sign-out and the language choice.

The sign-in form is protected by a double-submit token (a cookie and the same value in the
form), as there is no session yet. Passwords are checked, and failures throttled, by the same
service functions as the API's login.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from backend.app.deps import RuntimeDep, SessionDep
from backend.console.auth import (
    ConsoleStaff,
    CurrentConsoleSession,
    NotSignedIn,
    browser_language,
    check_csrf,
    console_session,
)
from backend.console.i18n import LANGUAGE_COOKIE, valid_language
from backend.console.render import PageContext, render
from backend.console.sessions import COOKIE, end_session, open_session
from backend.runtime import Runtime
from backend.staff import service as accounts
from backend.staff.audit import record

router = APIRouter()
PRE_CSRF_COOKIE = "massar_console_signin"
LANGUAGES = ("ar", "fr", "en", "pt")


def secure_cookies(request: Request, runtime: Runtime) -> bool:
    """Cookies are ``Secure`` when the console is served over HTTPS."""
    public = runtime.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def safe_next(target: str | None) -> str:
    """Only a console path: never a redirect to another site."""
    if target and target.startswith("/console") and "//" not in target and "\\" not in target:
        return target
    return "/console"


def _signin_page(
    request: Request, runtime: RuntimeDep, *, error: str | None, status_code: int, target: str
) -> Response:
    token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)
    lang = browser_language(request, runtime.settings.default_language)
    request.state.console = PageContext(staff=None, lang=lang, csrf_token=token)
    response = render(
        request,
        "signin.html",
        status_code=status_code,
        error=error,
        next=target,
        languages=LANGUAGES,
    )
    response.set_cookie(
        PRE_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, runtime),
        path="/console",
    )
    return response


@router.get("/login")
async def signin_form(request: Request, runtime: RuntimeDep, next: str | None = None) -> Response:
    """The sign-in page, in the browser's language."""
    return _signin_page(request, runtime, error=None, status_code=200, target=safe_next(next))


@router.post("/login")
async def signin(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    """Check the password; on success open a session and go where the staff member was."""
    await check_csrf(request, request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe())
    target = safe_next(next)
    now = runtime.clock()
    client = request.client.host if request.client else "unknown"
    wait = await accounts.login_retry_after(session, email=email, client=client, now=now)
    if wait is not None:
        page = _signin_page(request, runtime, error="throttled", status_code=429, target=target)
        page.headers["Retry-After"] = str(wait)
        return page
    staff = await accounts.check_password(
        session, email=email, password=password, client=client, now=now
    )
    if staff is None:
        await session.commit()
        return _signin_page(request, runtime, error="wrong", status_code=401, target=target)
    language = browser_language(request, runtime.settings.default_language)
    token, _row = await open_session(session, staff_id=staff.id, language=language, now=now)
    await record(
        session, staff_id=staff.id, action="login", object_type="staff", object_id=staff.id, at=now
    )
    await session.commit()
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, runtime),
        path="/",
    )
    response.delete_cookie(PRE_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def signout(
    session: SessionDep, runtime: RuntimeDep, principal: ConsoleStaff, row: CurrentConsoleSession
) -> Response:
    """End this session."""
    now = runtime.clock()
    await end_session(session, session_id=row.id)
    await record(
        session,
        staff_id=principal.id,
        action="logout",
        object_type="staff",
        object_id=principal.id,
        at=now,
    )
    await session.commit()
    response = RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
async def choose_language(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    lang: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    """Switch the console's language: kept on the session, or in a cookie before sign-in."""
    chosen = valid_language(lang)
    if chosen is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail="unknown language")
    response = RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    try:
        row = await console_session(request, session, runtime)
    except NotSignedIn:
        await check_csrf(request, request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe())
    else:
        row.language = chosen
        await session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, runtime),
        path="/console",
    )
    return response
