"""Claiming due outbox rows: a lease per batch, in order per address, across processes.

A row is taken for ``lease`` with a random token, and only when no earlier unsent row to the
same address waits (for a retry, or leased to another claim): everything after a waiting row
waits with it. On PostgreSQL claims take turns on an advisory lock, so two claims never judge
"earlier" from the same snapshot, and the candidates are locked (``FOR UPDATE``); on SQLite one
conditional ``UPDATE ... RETURNING`` does the same job under the write lock.

The claim walks the partial index on unsent rows in id order and stops after the batch, so its
cost does not grow with the outbox. Neither planner finds that walk by itself when statistics
are missing or stale (SQLite has none unless ``ANALYZE`` ran; PostgreSQL's lag behind a
broadcast of thousands of rows): both read every unsent row of the channel and sorted them, 70
to 100 ms a claim at 13,000 rows, most of a dispatch batch's time. SQLite is told the index
(:mod:`backend.db.index_hint`); PostgreSQL is told not to sort, for this transaction only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.dispatch_batch import OUTBOX, Claimed, pending
from backend.db.dialect import is_postgres
from backend.db.index_hint import read_through
from backend.db.write_turns import write_turn

#: Serialises outbox claims across processes on PostgreSQL (an arbitrary, fixed key).
CLAIM_LOCK_KEY = 0x6D617373


def _claim_statement(*, for_update: bool) -> Any:
    """The claim, built once (its values are bound at each run: ``now``, ``until``, ``token``,
    ``channels``, ``limit``)."""
    row = read_through(OUTBOX, "ix_outbox_pending", name="candidate")
    earlier = read_through(OUTBOX, "ix_outbox_pending_address", name="earlier")
    now = bindparam("now", type_=OUTBOX.c.next_attempt_at.type)
    # An earlier unsent row to the same address that this claim cannot take: it waits for a
    # retry, or another claim holds it. Everything after it waits too.
    # OFFSET 0 keeps PostgreSQL from turning this into an anti-join over every waiting row
    # (it drops a plain LIMIT inside EXISTS, not an OFFSET; as an anti-join, with stale
    # statistics, it compared each candidate with all of them: 105 ms a claim at 500
    # leased rows). As a subplan it is one probe of the pending-by-address index per
    # candidate, whatever the number of rows waiting.
    blocked = (
        select(earlier.c.id)
        .where(
            earlier.c.channel == row.c.channel,
            earlier.c.address == row.c.address,
            earlier.c.id < row.c.id,
            pending(earlier.c.status),
            or_(
                earlier.c.next_attempt_at > now,
                and_(earlier.c.claimed_until.is_not(None), earlier.c.claimed_until >= now),
            ),
        )
        .limit(1)
        .offset(0)
        .exists()
    )
    due = and_(
        pending(row.c.status),
        row.c.next_attempt_at <= now,
        row.c.channel.in_(bindparam("channels", expanding=True)),
        or_(row.c.claimed_until.is_(None), row.c.claimed_until < now),
        ~blocked,
    )
    candidates = select(row.c.id).where(due).order_by(row.c.id).limit(bindparam("limit"))
    if for_update:
        # The row locks wait for any writer still holding a candidate; like the write that
        # follows, they leave the key alone, so a row referring to one is not kept waiting.
        candidates = candidates.with_for_update(key_share=True)
    # One statement claims and returns the rows: the candidates are locked (PostgreSQL) and
    # the statement is atomic under the write lock (SQLite).
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(candidates.scalar_subquery()))
        .values(claimed_until=bindparam("until"), claim_token=bindparam("token"))
        .returning(
            OUTBOX.c.id,
            OUTBOX.c.channel,
            OUTBOX.c.address,
            OUTBOX.c.payload,
            OUTBOX.c.attempts,
            OUTBOX.c.beneficiary_id,
            OUTBOX.c.scrub_after_send,
            OUTBOX.c.status,
            OUTBOX.c.next_attempt_at,
            OUTBOX.c.last_error,
        )
    )


_CLAIM = _claim_statement(for_update=False)
_CLAIM_LOCKING = _claim_statement(for_update=True)


async def claim_outbox(
    sessions: async_sessionmaker[AsyncSession],
    channels: Sequence[str],
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Claimed]:
    """Lease up to ``limit`` due rows of ``channels`` until ``now + lease``, in id order."""
    token = str(uuid.uuid4())
    until = now + lease
    values = {
        "now": now,
        "until": until,
        "token": token,
        "channels": list(channels),
        "limit": limit,
    }
    async with write_turn(sessions), sessions() as session, session.begin():
        statement = _CLAIM
        if is_postgres(session):
            # Claims take turns, so each sees the leases the one before it committed.
            await session.execute(claim_turn())
            statement = _CLAIM_LOCKING
        claimed = await session.execute(statement, values)
        rows = sorted(claimed.all(), key=lambda r: r.id)
    return [
        Claimed(
            id=r.id,
            channel=r.channel,
            address=r.address,
            payload=dict(r.payload),
            attempts=r.attempts,
            beneficiary_id=r.beneficiary_id,
            scrub_after_send=r.scrub_after_send,
            token=token,
            lease_until=until,
            status=r.status,
            next_attempt_at=r.next_attempt_at,
            last_error=r.last_error,
        )
        for r in rows
    ]


_CLAIM_TURN = select(
    func.pg_advisory_xact_lock(text(str(CLAIM_LOCK_KEY))),
    func.set_config("enable_sort", "off", True),
)


def claim_turn() -> Select[Any]:
    """PostgreSQL: wait for this process's turn to claim, and plan the claim as an ordered
    walk of ``ix_outbox_pending`` (no sort: with stale statistics the planner would sort every
    unsent row rather than stop after the batch). Both last until the transaction ends."""
    return _CLAIM_TURN
