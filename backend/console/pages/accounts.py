"""Accounts (admins): create, role and programmes, deactivate, a new password. Audited like
the API's writes; signing out everywhere follows a deactivation or a new password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from backend.api.deps import MAX_ID
from backend.app.deps import RuntimeDep, SessionDep
from backend.console.auth import ConsoleAdmin
from backend.console.render import render
from backend.console.sessions import end_sessions_of
from backend.staff.admin import (
    check_password_strength,
    reset_password,
    set_active,
    set_role,
)
from backend.staff.audit import record
from backend.staff.models import Staff
from backend.staff.service import ROLES, StaffError, create_staff, programs_of

router = APIRouter()
StaffId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def _page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    *,
    error: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    accounts = list(await session.scalars(select(Staff).order_by(Staff.name, Staff.id)))
    programs = {s.id: sorted(await programs_of(session, staff_id=s.id)) for s in accounts}
    return render(
        request,
        "accounts.html",
        status_code=status_code,
        accounts=accounts,
        programs_of=programs,
        all_programs=sorted(runtime.content.programs),
        roles=ROLES,
        error=error,
        done=done,
    )


@router.get("/accounts", response_class=HTMLResponse)
async def accounts_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _admin: ConsoleAdmin,
    done: str | None = None,
) -> HTMLResponse:
    """Every account, with forms to change them."""
    return await _page(request, session, runtime, done=done)


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/console/accounts?done={what}", status.HTTP_303_SEE_OTHER)


@router.post("/accounts", response_model=None)
async def create_account(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    admin: ConsoleAdmin,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(min_length=1, max_length=120)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
    programs: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """A new account with its first password."""
    now = runtime.clock()
    try:
        check_password_strength(password)
        staff = await create_staff(
            session, email=email, name=name.strip(), role=role, programs=programs or [],
            password=password, now=now,
        )  # fmt: skip
    except StaffError as exc:
        await session.rollback()
        return await _page(request, session, runtime, error=str(exc), status_code=422)
    await record(
        session, staff_id=admin.id, action="create", object_type="staff", object_id=staff.id,
        at=now,
    )  # fmt: skip
    await session.commit()
    return _done("created")


async def _account(session: SessionDep, staff_id: int) -> Staff:
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such account")
    return staff


@router.post("/accounts/{staff_id}/role", response_model=None)
async def change_role(
    staff_id: StaffId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    admin: ConsoleAdmin,
    role: Annotated[str, Form(max_length=16)],
    programs: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Change an account's role and programmes."""
    staff = await _account(session, staff_id)
    try:
        await set_role(session, staff=staff, role=role, programs=programs or [])
    except StaffError as exc:
        await session.rollback()
        return await _page(request, session, runtime, error=str(exc), status_code=422)
    await record(
        session, staff_id=admin.id, action="update", object_type="staff", object_id=staff.id,
        at=runtime.clock(),
    )  # fmt: skip
    await session.commit()
    return _done("updated")


@router.post("/accounts/{staff_id}/active")
async def change_active(
    staff_id: StaffId,
    session: SessionDep,
    runtime: RuntimeDep,
    admin: ConsoleAdmin,
    active: Annotated[bool, Form()],
) -> RedirectResponse:
    """Deactivate an account (it is signed out everywhere) or reactivate it."""
    staff = await _account(session, staff_id)
    if staff.id == admin.id and not active:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="you cannot deactivate yourself")
    now = runtime.clock()
    await set_active(session, staff=staff, active=active, now=now)
    if not active:
        await end_sessions_of(session, staff_id=staff.id)
    await record(
        session, staff_id=admin.id, action="update", object_type="staff", object_id=staff.id,
        at=now,
    )  # fmt: skip
    await session.commit()
    return _done("deactivated" if not active else "activated")


@router.post("/accounts/{staff_id}/password", response_model=None)
async def change_password(
    staff_id: StaffId,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    admin: ConsoleAdmin,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Set a new password; the account's tokens and other sessions end."""
    staff = await _account(session, staff_id)
    now = runtime.clock()
    try:
        await reset_password(session, staff=staff, password=password, now=now)
    except StaffError as exc:
        await session.rollback()
        return await _page(request, session, runtime, error=str(exc), status_code=422)
    if staff.id != admin.id:
        await end_sessions_of(session, staff_id=staff.id)
    await record(
        session, staff_id=admin.id, action="update", object_type="staff", object_id=staff.id,
        at=now,
    )  # fmt: skip
    await session.commit()
    return _done("password")
