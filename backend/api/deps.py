"""Dependencies of the admin API: the member of staff behind the token, and role checks.

Program scope is checked by each view on the object it fetched (404 outside one's programs)
and by the services' queries on lists (see :mod:`backend.staff.scope`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.api.errors import forbidden, unauthorized, unprocessable
from backend.app.deps import RuntimeDep, SessionDep
from backend.staff.service import Principal, authenticate

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `massar staff token EMAIL` or `POST /api/v1/auth/login`.",
)
#: Largest id a path or body accepts: PostgreSQL's ``integer``.
MAX_ID = 2**31 - 1


async def current_staff(
    session: SessionDep,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The member of staff whose token came with the request; 401 otherwise."""
    if credentials is None:
        raise unauthorized()
    principal = await authenticate(session, token=credentials.credentials, now=runtime.clock())
    if principal is None:
        raise unauthorized()
    await session.commit()
    return principal


CurrentStaff = Annotated[Principal, Depends(current_staff)]


def _query_names(dependant: Any) -> frozenset[str]:
    """Every query parameter a route reads, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


def known_query_only(request: Request) -> None:
    """422 on a query parameter the route does not read: a misspelt filter must not quietly
    return the whole unfiltered list."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        raise unprocessable(["query", unknown[0]], "unknown query parameter")


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that answers 403 unless the member of staff has one of ``roles``."""

    async def check(principal: CurrentStaff) -> Principal:
        if principal.role not in roles:
            raise forbidden()
        return principal

    return check


Supervisor = Annotated[Principal, Depends(require_role("admin", "supervisor"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]


@dataclass(frozen=True)
class Paging:
    """``limit``/``offset`` of a list."""

    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> Paging:
    """The page asked for."""
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(paging)]
