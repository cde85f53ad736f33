"""Queueing messages for a person: every reply, staff message or notice goes through here, into
the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.conversations.models import OutboxMessage
from backend.people.models import Beneficiary
from conversations.messages import Outgoing


async def queue_messages(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    messages: Iterable[Outgoing],
    beneficiary_id: int | None,
    now: datetime,
    scrub_after_send: bool = False,
) -> list[OutboxMessage]:
    """Add one outbox row per message, due now, and flush to get their ids."""
    rows = [
        OutboxMessage(
            beneficiary_id=beneficiary_id,
            channel=channel,
            address=address,
            payload=message.to_payload(),
            status="queued",
            attempts=0,
            next_attempt_at=now,
            scrub_after_send=scrub_after_send,
            created_at=now,
        )
        for message in messages
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def queue_for(
    session: AsyncSession, *, beneficiary: Beneficiary, messages: Iterable[Outgoing], now: datetime
) -> list[OutboxMessage]:
    """Queue messages for a known person, on the channel they use."""
    return await queue_messages(
        session,
        channel=beneficiary.channel,
        address=beneficiary.address,
        messages=messages,
        beneficiary_id=beneficiary.id,
        now=now,
    )
