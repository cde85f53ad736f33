"""Logging in and who one is."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from backend.api.schemas import CleanText, Input, Output


class LoginCreate(Input):
    """Email and password of a staff account."""

    email: Annotated[CleanText, Field(min_length=3, max_length=254)]
    password: Annotated[CleanText, Field(min_length=1, max_length=1024)]


class StaffRead(Output):
    """A member of staff."""

    id: int
    email: str
    name: str
    role: Literal["admin", "supervisor", "agent"]
    programs: list[str]
    active: bool = True


class TokenRead(Output):
    """A new API token, shown this once, and its owner."""

    token: str
    staff: StaffRead


class AuditRead(Output):
    """One audit row: who, what, which object, when. Never a personal value."""

    id: int
    staff_id: int | None
    action: str
    object_type: str
    object_id: str | None
    at: datetime
