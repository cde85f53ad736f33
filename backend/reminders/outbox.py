"""Queueing a whole batch of scheduled messages in one statement.

The rows are exactly those :func:`backend.conversations.outbox.queue_messages` writes (due now,
on the person's channel), but a tick queues hundreds at a time, and one multi-row ``INSERT``
is what lets it keep ahead of the channels' rate limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.conversations.models import OutboxMessage
from backend.people.models import Beneficiary
from conversations.messages import Outgoing


async def queue_many(
    session: AsyncSession, items: Sequence[tuple[Beneficiary, Outgoing]], *, now: datetime
) -> list[int]:
    """One outbox row per (person, message), in the caller's transaction; their ids, in order."""
    if not items:
        return []
    result = await session.execute(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
        [
            {
                "beneficiary_id": person.id,
                "channel": person.channel,
                "address": person.address,
                "payload": message.to_payload(),
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "scrub_after_send": False,
                "created_at": now,
            }
            for person, message in items
        ],
    )
    return list(result.scalars())
