"""Claiming due outbox rows: a lease per batch, in order per address, across processes.

A row is taken for ``lease`` with a random token, and only when no earlier unsent row to the
same address waits (for a retry, or leased to another claim): everything after a waiting row
waits with it. On PostgreSQL claims take turns on an advisory lock, so two claims never judge
"earlier" from the same snapshot, and the candidates are locked (``FOR UPDATE``); on SQLite one
conditional ``UPDATE ... RETURNING`` does the same job under the write lock. The claim reads
the partial indexes on unsent rows only, so its cost does not grow with the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from backend.conversations.dispatch_batch import Claimed, pending
from backend.conversations.models import OutboxMessage
from backend.db.dialect import is_postgres

#: Serialises outbox claims across processes on PostgreSQL (an arbitrary, fixed key).
CLAIM_LOCK_KEY = 0x6D617373


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
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    earlier = aliased(OutboxMessage)
    # An earlier unsent row to the same address that this claim cannot take: it waits for a
    # retry, or another claim holds it. Everything after it waits too.
    # OFFSET 0 keeps PostgreSQL from turning this into an anti-join over every waiting row
    # (it drops a plain LIMIT inside EXISTS, not an OFFSET; as an anti-join, with stale
    # statistics, it compared each candidate with all of them: 105 ms a claim at 500
    # leased rows). As a subplan it is one probe of the pending-by-address index per
    # candidate, whatever the number of rows waiting.
    blocked = (
        select(earlier.id)
        .where(
            earlier.channel == OutboxMessage.channel,
            earlier.address == OutboxMessage.address,
            earlier.id < OutboxMessage.id,
            pending(earlier.status),
            or_(
                earlier.next_attempt_at > now,
                and_(earlier.claimed_until.is_not(None), earlier.claimed_until >= now),
            ),
        )
        .limit(1)
        .offset(0)
        .exists()
    )
    due = and_(
        pending(OutboxMessage.status),
        OutboxMessage.next_attempt_at <= now,
        OutboxMessage.channel.in_(channels),
        free,
        ~blocked,
    )
    async with sessions() as session, session.begin():
        candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
        if is_postgres(session):
            # Claims take turns, so each sees the leases the one before it committed; the
            # row locks then wait for any writer still holding a candidate.
            await session.execute(select(func.pg_advisory_xact_lock(text(str(CLAIM_LOCK_KEY)))))
            candidates = candidates.with_for_update()
        # One statement claims and returns the rows: the candidates are locked (PostgreSQL)
        # and the statement is atomic under the write lock (SQLite).
        claimed = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
            .values(claimed_until=now + lease, claim_token=token)
            .returning(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.address,
                OutboxMessage.payload,
                OutboxMessage.attempts,
                OutboxMessage.beneficiary_id,
                OutboxMessage.scrub_after_send,
                OutboxMessage.status,
                OutboxMessage.next_attempt_at,
                OutboxMessage.last_error,
            )
            .execution_options(synchronize_session=False)
        )
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
                lease_until=now + lease,
                status=r.status,
                next_attempt_at=r.next_attempt_at,
                last_error=r.last_error,
            )
            for r in rows
        ]
