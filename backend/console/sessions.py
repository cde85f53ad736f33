"""Console sessions: a random cookie token whose SHA-256 is stored, a CSRF token, the chosen
language, and the time of the last request (a session idle for too long is ended)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.console.models import ConsoleSession
from backend.staff.service import hash_token

COOKIE = "massar_console"
#: Only write ``last_seen_at`` when it is older than this, to spare a write per request.
SEEN_RESOLUTION = timedelta(seconds=30)


async def open_session(
    session: AsyncSession, *, staff_id: int, language: str, now: datetime
) -> tuple[str, ConsoleSession]:
    """A new session; the caller puts the returned token in the cookie, shown only there."""
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        token_hash=hash_token(token),
        staff_id=staff_id,
        csrf_token=secrets.token_urlsafe(32),
        language=language,
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    await session.flush()
    return token, row


async def find_session(
    session: AsyncSession,
    *,
    token: str | None,
    idle: timedelta,
    now: datetime,
    touch: bool = True,
) -> ConsoleSession | None:
    """The live session behind a cookie; an idle one is deleted and not returned. With
    ``touch``, the request counts as activity (an open event stream does not)."""
    if not token or len(token) > 100:
        return None
    row = await session.scalar(
        select(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token))
    )
    if row is None:
        return None
    if now - row.last_seen_at > idle:
        await session.delete(row)
        return None
    if touch and now - row.last_seen_at > SEEN_RESOLUTION:
        row.last_seen_at = now
    return row


async def end_session(session: AsyncSession, *, session_id: int) -> None:
    """Sign out."""
    await session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))


async def end_sessions_of(session: AsyncSession, *, staff_id: int) -> None:
    """Sign a member of staff out everywhere (deactivated, or a new password)."""
    await session.execute(delete(ConsoleSession).where(ConsoleSession.staff_id == staff_id))
