"""Linking codes: a person takes a six-digit code on one address and types it on another, and
the two people become one.

Only a salted, stretched digest of each code is stored (a database dump does not hand out the
live codes: each one costs a million stretched hashes to recover, and lives ten minutes). With
no shared secret to key a lookup, a typed code is checked against every recent code, each with
:func:`hmac.compare_digest` and without stopping at the first match, so the time an answer
takes says nothing about the codes. The limits are module constants, named below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.merge import merge_people
from backend.people.models import Beneficiary, LinkCode

#: Digits in a code.
CODE_DIGITS = 6
#: How long a code works after it is given.
CODE_LIFETIME = timedelta(minutes=10)
#: Codes one person may take per :data:`ISSUE_WINDOW`.
ISSUE_LIMIT = 3
ISSUE_WINDOW = timedelta(hours=1)
#: Wrong codes in a row after which linking is refused for :data:`BLOCK_FOR`.
FAILURE_LIMIT = 3
BLOCK_FOR = timedelta(hours=1)
#: A code that expired or was used this recently is named as such, not counted as wrong.
RECENT = timedelta(hours=1)
#: PBKDF2-SHA256 rounds per digest: a few milliseconds per code checked.
ROUNDS = 2_000
_SALT_BYTES = 12

Refusal = Literal["blocked", "too_many"]
Outcome = Literal["linked", "wrong", "blocked", "expired", "used", "own"]


@dataclass(frozen=True)
class Issued:
    """A new code (shown once, never stored), or why none was given and until when."""

    code: str | None
    refused: Refusal | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Redeemed:
    """What a typed code did. ``survivor_id`` is the person who took the code, once linked;
    ``attempts_left`` counts the wrong codes still allowed before the block."""

    outcome: Outcome
    survivor_id: int | None = None
    attempts_left: int = 0
    until: datetime | None = None


def digest_of(code: str, salt: bytes | None = None) -> str:
    """``salt$hash``, both URL-safe base64: 60 characters, for the 64-character column."""
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    derived = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, ROUNDS)
    return f"{_b64(salt)}${_b64(derived)}"


def matches(code: str, digest: str) -> bool:
    """Whether ``code`` is the code behind ``digest``, compared in constant time."""
    salt_text, _, expected = digest.partition("$")
    try:
        salt = base64.urlsafe_b64decode(salt_text + "=" * (-len(salt_text) % 4))
    except ValueError:
        return False
    actual = digest_of(code, salt).partition("$")[2]
    return hmac.compare_digest(actual.encode(), expected.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_code() -> str:
    """Six random digits, leading zeros included."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


async def issue_code(session: AsyncSession, *, person: Beneficiary, now: datetime) -> Issued:
    """A new code for ``person``, unless linking is blocked or they took too many lately.

    A new code ends the person's earlier live ones: only the latest works."""
    if _blocked(person, now):
        return Issued(code=None, refused="blocked", until=person.link_blocked_until)
    recent = await session.scalars(
        select(LinkCode.created_at)
        .where(LinkCode.beneficiary_id == person.id, LinkCode.created_at > now - ISSUE_WINDOW)
        .order_by(LinkCode.created_at)
    )
    taken = list(recent)
    if len(taken) >= ISSUE_LIMIT:
        return Issued(code=None, refused="too_many", until=taken[-ISSUE_LIMIT] + ISSUE_WINDOW)
    await session.execute(
        update(LinkCode)
        .where(
            LinkCode.beneficiary_id == person.id,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .values(expires_at=now)
    )
    live = await _recent(session, now)
    code = new_code()
    while any(matches(code, row.digest) for row in live if _live(row, now)):
        code = new_code()  # two live codes alike would make one person's code open another's
    session.add(
        LinkCode(
            beneficiary_id=person.id,
            digest=digest_of(code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    await session.flush()
    return Issued(code=code)


async def redeem_code(
    session: AsyncSession, *, person: Beneficiary, code: str, now: datetime
) -> Redeemed:
    """Check a code ``person`` typed; on success, they become one with the code's owner.

    A wrong code counts toward the block; an expired or used code, or one's own, does not:
    those are mistakes a person makes, not guesses."""
    if _blocked(person, now):
        return Redeemed("blocked", until=person.link_blocked_until)
    found = [row for row in await _recent(session, now) if matches(code, row.digest)]
    if not found:
        return _count_failure(person, now)
    row = max(found, key=lambda r: r.created_at)
    if row.beneficiary_id == person.id:
        return Redeemed("own")
    if row.used_at is not None:
        return Redeemed("used")
    if row.expires_at <= now:
        return Redeemed("expired")
    # Taken in one conditional statement: of two people typing the same code at once, the
    # second waits for the first's row lock, then finds it used.
    taken = await session.scalar(
        update(LinkCode)
        .where(LinkCode.id == row.id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(used_at=now)
        .returning(LinkCode.id)
        .execution_options(synchronize_session=False)
    )
    if taken is None:
        return Redeemed("used")
    survivor_id = row.beneficiary_id
    await merge_people(
        session, survivor_id=survivor_id, absorbed_id=person.id, merged_by="person", now=now
    )
    survivor = await session.get(Beneficiary, survivor_id)
    if survivor is not None:
        survivor.link_failures = 0  # a block still running stays (the merge keeps it)
        await session.flush()
    return Redeemed("linked", survivor_id=survivor_id)


def _count_failure(person: Beneficiary, now: datetime) -> Redeemed:
    person.link_failures = (person.link_failures or 0) + 1
    if person.link_failures >= FAILURE_LIMIT:
        person.link_failures = 0
        person.link_blocked_until = now + BLOCK_FOR
        return Redeemed("blocked", until=person.link_blocked_until)
    return Redeemed("wrong", attempts_left=FAILURE_LIMIT - person.link_failures)


def _blocked(person: Beneficiary, now: datetime) -> bool:
    return person.link_blocked_until is not None and person.link_blocked_until > now


def _live(row: LinkCode, now: datetime) -> bool:
    return row.used_at is None and row.expires_at > now


async def _recent(session: AsyncSession, now: datetime) -> list[LinkCode]:
    """Every code given in the last :data:`RECENT` plus its lifetime: the live ones and those
    recently used or expired, which a person may still type."""
    rows = await session.scalars(
        select(LinkCode).where(LinkCode.created_at > now - CODE_LIFETIME - RECENT)
    )
    return list(rows)


async def live_codes(session: AsyncSession, *, now: datetime) -> int:
    """How many codes work now (for tests and figures)."""
    count = await session.scalar(
        select(func.count())
        .select_from(LinkCode)
        .where(LinkCode.used_at.is_(None), LinkCode.expires_at > now)
    )
    return int(count or 0)
