"""Program scope as SQL: what a member of staff may see in a list.

Views check single objects with :meth:`Principal.sees`; lists filter with :func:`visible`, so
the two can never disagree about who sees what.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from backend.staff.service import Principal


def visible(principal: Principal, program: Any) -> ColumnElement[bool]:
    """A clause true for rows whose ``program`` column the principal may see."""
    if principal.is_admin:
        return true()
    allowed = program.in_(sorted(principal.programs)) if principal.programs else false()
    if principal.role == "supervisor":
        return or_(allowed, program.is_(None))
    return allowed
