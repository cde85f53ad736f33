"""Staff accounts, passwords and API tokens.

Passwords are hashed with argon2id. API tokens are 256 random bits shown once and stored as
their SHA-256, so a copy of the database gives nobody a working token. Repeated failed logins
are throttled per email and per client, from the ``login_attempts`` rows.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.staff.models import ApiToken, LoginAttempt, Staff, StaffProgram

ROLES = ("admin", "supervisor", "agent")
TOKEN_PREFIX = "mst_"  # noqa: S105 - a public prefix that makes leaked tokens findable
#: Failures allowed per email within the window before logins for it answer 429.
MAX_FAILURES_PER_EMAIL = 5
#: Failures allowed per client address: higher, as an office may share one address.
MAX_FAILURES_PER_CLIENT = 20
THROTTLE_WINDOW = timedelta(minutes=15)
#: Only write ``last_used_at`` when it is older than this, to spare a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


class StaffError(ValueError):
    """An account that cannot be created as asked."""


@dataclass(frozen=True)
class Principal:
    """The member of staff behind a request, with the programs they may see."""

    id: int
    email: str
    name: str
    role: str
    programs: frozenset[str]
    token_id: int

    @property
    def is_admin(self) -> bool:
        """Admins see every program."""
        return self.role == "admin"

    def sees(self, program: str | None) -> bool:
        """Whether an object of ``program`` is visible; ``None`` (general) is for admins and
        supervisors."""
        if self.is_admin:
            return True
        if program is None:
            return self.role == "supervisor"
        return program in self.programs


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, verify a dummy one so the answer takes as long."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """What is stored for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_staff(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: str,
    programs: list[str],
    password: str | None,
    now: datetime,
) -> Staff:
    """Create an account; agents and supervisors need at least one program."""
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not programs:
        raise StaffError(f"a {role} needs at least one --program")
    email = normalize_email(email)
    if await session.scalar(select(Staff.id).where(Staff.email == email)) is not None:
        raise StaffError("an account with this email already exists")
    staff = Staff(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=now,
    )
    session.add(staff)
    await session.flush()
    session.add_all(StaffProgram(staff_id=staff.id, program=p) for p in sorted(set(programs)))
    await session.flush()
    return staff


async def find_staff(session: AsyncSession, *, email: str) -> Staff | None:
    """The account with this email, if any."""
    return await session.scalar(select(Staff).where(Staff.email == normalize_email(email)))


async def programs_of(session: AsyncSession, *, staff_id: int) -> frozenset[str]:
    """The programs a member of staff works on."""
    rows = await session.scalars(
        select(StaffProgram.program).where(StaffProgram.staff_id == staff_id)
    )
    return frozenset(rows)


async def issue_token(
    session: AsyncSession, *, staff_id: int, now: datetime, label: str = ""
) -> str:
    """A new token; the caller shows it once, only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(staff_id=staff_id, token_hash=hash_token(token), label=label[:80], created_at=now)
    )
    await session.flush()
    return token


async def authenticate(session: AsyncSession, *, token: str, now: datetime) -> Principal | None:
    """The principal behind a bearer token, or ``None`` for an unknown, revoked or inactive one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = (
        await session.execute(
            select(ApiToken, Staff)
            .join(Staff, Staff.id == ApiToken.staff_id)
            .where(ApiToken.token_hash == hash_token(token))
        )
    ).one_or_none()
    if row is None:
        return None
    api_token, staff = row
    if api_token.revoked_at is not None or not staff.active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        api_token.last_used_at = now
    return Principal(
        id=staff.id,
        email=staff.email,
        name=staff.name,
        role=staff.role,
        programs=await programs_of(session, staff_id=staff.id),
        token_id=api_token.id,
    )


async def revoke_token(session: AsyncSession, *, token_id: int, now: datetime) -> None:
    """Revoke one token."""
    await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all(session: AsyncSession, *, staff_id: int, now: datetime) -> int:
    """Revoke every live token of a member of staff; returns how many."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def login_retry_after(
    session: AsyncSession, *, email: str, client: str, now: datetime
) -> int | None:
    """Seconds to wait before trying again, or ``None`` when a login may be tried now."""
    since = now - THROTTLE_WINDOW
    for column, value, limit in (
        (LoginAttempt.email, normalize_email(email), MAX_FAILURES_PER_EMAIL),
        (LoginAttempt.client, client[:64], MAX_FAILURES_PER_CLIENT),
    ):
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(LoginAttempt.at)).where(
                    column == value, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False)
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            return max(1, int((oldest + THROTTLE_WINDOW - now).total_seconds()) + 1)
    return None


async def check_password(
    session: AsyncSession, *, email: str, password: str, client: str, now: datetime
) -> Staff | None:
    """The active account whose password this is, or ``None``; every attempt is recorded for
    throttling. The API's login and the console's sign-in both go through here."""
    staff = await find_staff(session, email=email)
    valid = verify_password(staff.password_hash if staff else None, password)
    succeeded = bool(staff and staff.active and valid)
    session.add(
        LoginAttempt(
            email=normalize_email(email)[:254], client=client[:64], succeeded=succeeded, at=now
        )
    )
    return staff if succeeded else None


async def login(
    session: AsyncSession, *, email: str, password: str, client: str, now: datetime
) -> tuple[Staff, str] | None:
    """Check the password and issue a token; every attempt is recorded for throttling."""
    staff = await check_password(session, email=email, password=password, client=client, now=now)
    if staff is None:
        return None
    token = await issue_token(session, staff_id=staff.id, now=now, label="login")
    return staff, token


async def load_principal(session: AsyncSession, *, staff_id: int) -> Principal | None:
    """An active member of staff as a principal (without a token), to check what they may see."""
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active:
        return None
    return Principal(
        id=staff.id,
        email=staff.email,
        name=staff.name,
        role=staff.role,
        programs=await programs_of(session, staff_id=staff.id),
        token_id=0,
    )


async def colleagues(session: AsyncSession, principal: Principal) -> list[Staff]:
    """Active staff who share a program with the principal, and the admins (everyone, for an
    admin): those a case may be assigned to."""
    query = select(Staff).where(Staff.active.is_(True))
    if not principal.is_admin:
        shared = select(StaffProgram.staff_id).where(
            StaffProgram.program.in_(sorted(principal.programs))
        )
        query = query.where(Staff.id.in_(shared) | (Staff.role == "admin"))
    return list(await session.scalars(query.order_by(Staff.id)))
