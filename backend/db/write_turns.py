"""Turns at writing for one process's hot writers on SQLite, in an asyncio lock.

SQLite lets one writer at a time; the others wait in its busy handler, which sleeps in steps
(1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms) and retries. Measured at 100 updates a
second: the dispatcher's claims and result writes slept 35, 55, 80 or 105 ms (those steps
added up) each time an inbound batch held the lock, and the first replies' p99 went from
about 0.15 s on PostgreSQL to 0.5–1 s on SQLite. Taking turns in an asyncio lock first, the
next writer starts as soon as the one before commits. Only the writers on the message path
take turns (inbound batches, outbox claims, outbox results); they never hold one turn while
waiting for another. PostgreSQL needs none: its writers lock rows, not the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

#: Where the session factory keeps its lock (in its ``info``, shared by every session).
WRITE_TURNS_KEY = "massar.write_turns"


def write_turns_info(db: AsyncEngine) -> dict[str, Any]:
    """What to add to the session factory's ``info`` for ``db``: a lock on SQLite."""
    return {WRITE_TURNS_KEY: asyncio.Lock()} if db.dialect.name == "sqlite" else {}


@asynccontextmanager
async def write_turn(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Wait for this process's turn to write (at once where there are no turns)."""
    lock = (sessions.kw.get("info") or {}).get(WRITE_TURNS_KEY)
    if lock is None:
        yield
        return
    async with lock:
        yield
