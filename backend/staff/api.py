"""Logging in and out, who one is, and the staff one works with."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from backend.api.deps import CurrentStaff, PagingDep, Supervisor
from backend.api.errors import responses, unauthorized
from backend.api.schemas import Page
from backend.app.deps import RuntimeDep, SessionDep
from backend.staff import service as accounts
from backend.staff.audit import record
from backend.staff.schemas import LoginCreate, StaffRead, TokenRead
from backend.staff.service import Principal

public = APIRouter(tags=["auth"])
router = APIRouter(tags=["auth"])


def _staff_read(principal: Principal) -> StaffRead:
    return StaffRead.model_validate(
        {
            "id": principal.id,
            "email": principal.email,
            "name": principal.name,
            "role": principal.role,
            "programs": sorted(principal.programs),
        }
    )


@public.post("/auth/login", response_model=TokenRead, responses=responses(400, 401, 429))
async def login(
    body: LoginCreate, request: Request, session: SessionDep, runtime: RuntimeDep
) -> TokenRead:
    """Exchange email and password for an API token, shown once. After 5 failures for an
    email (or 20 from one address) in 15 minutes, logins answer 429 for a while."""
    now = runtime.clock()
    client = request.client.host if request.client else "unknown"
    wait = await accounts.login_retry_after(session, email=body.email, client=client, now=now)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many failed logins; try again later",
            headers={"Retry-After": str(wait)},
        )
    result = await accounts.login(
        session, email=body.email, password=body.password, client=client, now=now
    )
    if result is None:
        await session.commit()
        raise unauthorized()
    staff, token = result
    await record(
        session,
        staff_id=staff.id,
        action="login",
        object_type="staff",
        object_id=staff.id,
        at=now,
    )
    await session.commit()
    principal = await accounts.load_principal(session, staff_id=staff.id)
    assert principal is not None  # noqa: S101 - just logged in
    return TokenRead(token=token, staff=_staff_read(principal))


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(401),
)
async def logout(session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff) -> Response:
    """Revoke the token this request came with."""
    now = runtime.clock()
    await accounts.revoke_token(session, token_id=principal.token_id, now=now)
    await record(
        session,
        staff_id=principal.id,
        action="logout",
        object_type="staff",
        object_id=principal.id,
        at=now,
    )
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=StaffRead, responses=responses(401))
async def me(principal: CurrentStaff) -> StaffRead:
    """The member of staff the token belongs to, with their role and programs."""
    return _staff_read(principal)


@router.get("/staff", response_model=Page[StaffRead], responses=responses(401, 403))
async def list_staff(
    session: SessionDep, principal: Supervisor, paging: PagingDep
) -> Page[StaffRead]:
    """Active staff who share a program with you (everyone for admins), to assign cases."""
    everyone = await accounts.colleagues(session, principal)
    page = everyone[paging.offset : paging.offset + paging.limit]
    items = []
    for staff in page:
        programs = await accounts.programs_of(session, staff_id=staff.id)
        items.append(
            StaffRead.model_validate(
                {
                    "id": staff.id,
                    "email": staff.email,
                    "name": staff.name,
                    "role": staff.role,
                    "programs": sorted(programs),
                    "active": staff.active,
                }
            )
        )
    return Page(items=items, total=len(everyone))
