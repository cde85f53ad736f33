"""Managing accounts (admins): role and programmes, deactivation, a new password. The CLI's
create stays in :mod:`backend.staff.service`; a deactivated account can no longer sign in
and its API tokens stop working (``authenticate`` and ``load_principal`` refuse it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from backend.staff.models import Staff, StaffProgram
from backend.staff.service import ROLES, StaffError, hash_password, revoke_all

MIN_PASSWORD = 10


def check_password_strength(password: str) -> None:
    """A password long enough to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"a password needs at least {MIN_PASSWORD} characters")


async def set_role(session: AsyncSession, *, staff: Staff, role: str, programs: list[str]) -> None:
    """Change the role and the programmes; agents and supervisors keep at least one."""
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not programs:
        raise StaffError(f"a {role} needs at least one programme")
    staff.role = role
    await session.execute(delete(StaffProgram).where(StaffProgram.staff_id == staff.id))
    session.add_all(StaffProgram(staff_id=staff.id, program=p) for p in sorted(set(programs)))
    await session.flush()


async def set_active(session: AsyncSession, *, staff: Staff, active: bool, now: datetime) -> None:
    """Deactivate (tokens revoked too) or reactivate an account."""
    staff.active = active
    if not active:
        await revoke_all(session, staff_id=staff.id, now=now)
    await session.flush()


async def reset_password(
    session: AsyncSession, *, staff: Staff, password: str, now: datetime
) -> None:
    """A new password; the account's API tokens are revoked."""
    check_password_strength(password)
    staff.password_hash = hash_password(password)
    await revoke_all(session, staff_id=staff.id, now=now)
    await session.flush()
