"""Error bodies and the ``responses`` each route declares, so the OpenAPI lists every error."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from pydantic import BaseModel

DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be read: not UTF-8, or not JSON.",
    401: "No valid bearer token (missing, unknown, revoked, or its account is inactive).",
    403: "Your role does not allow this.",
    404: "No such object, or it belongs to a program outside yours.",
    409: "The object is not in a state that allows this (a closed case).",
    429: "Too many failed logins; try again after Retry-After seconds.",
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Always `Bearer`.", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds to wait before the next try.",
            "schema": {"type": "integer"},
        }
    },
}


class Problem(BaseModel):
    """An error: what went wrong, in words for the developer of the calling tool."""

    detail: str


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` for these error codes."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"model": Problem, "description": DESCRIPTIONS[code]}
        if code in HEADERS:
            entry["headers"] = HEADERS[code]
        declared[code] = entry
    return declared


#: What every authenticated route may answer.
AUTH = (401,)


def unauthorized() -> HTTPException:
    """401, with the header RFC 6750 asks for."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden() -> HTTPException:
    """403: the role does not allow the action."""
    return HTTPException(status.HTTP_403_FORBIDDEN, detail="your role does not allow this")


def not_found(what: str) -> HTTPException:
    """404, the same whether the object does not exist or is outside one's programs."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


def conflict(detail: str) -> HTTPException:
    """409: the object's state forbids the action."""
    return HTTPException(status.HTTP_409_CONFLICT, detail=detail)


def unprocessable(loc: list[str | int], message: str) -> HTTPException:
    """422 shaped like FastAPI's own validation errors, so one schema describes both."""
    return HTTPException(
        422,
        detail=[{"loc": loc, "msg": message, "type": "value_error"}],
    )
