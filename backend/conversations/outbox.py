"""Queueing messages for a person: every reply, staff message, notice or reminder goes through
here, into the outbox, in the caller's transaction. ``new_row`` is the one shape of a new row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.conversations.models import OutboxMessage
from backend.people.models import Beneficiary
from conversations.messages import Outgoing


def new_row(
    *,
    beneficiary_id: int | None,
    channel: str,
    address: str,
    message: Outgoing,
    now: datetime,
    scrub_after_send: bool = False,
) -> dict[str, Any]:
    """A new outbox row: queued, due now, never tried."""
    return {
        "beneficiary_id": beneficiary_id,
        "channel": channel,
        "address": address,
        "payload": message.to_payload(),
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "scrub_after_send": scrub_after_send,
        "created_at": now,
    }


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
    rows = queue_rows(
        session,
        channel=channel,
        address=address,
        messages=messages,
        beneficiary_id=beneficiary_id,
        now=now,
        scrub_after_send=scrub_after_send,
    )
    await session.flush()
    return rows


def queue_rows(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    messages: Iterable[Outgoing],
    beneficiary_id: int | None,
    now: datetime,
    scrub_after_send: bool = False,
) -> list[OutboxMessage]:
    """Add one outbox row per message, due now; they get their ids at the session's next
    flush (a batch of turns flushes once, and the rows keep the order they were added in)."""
    rows = [
        OutboxMessage(**row)
        for row in new_rows(
            channel=channel,
            address=address,
            messages=messages,
            beneficiary_id=beneficiary_id,
            now=now,
            scrub_after_send=scrub_after_send,
        )
    ]
    session.add_all(rows)
    return rows


def new_rows(
    *,
    channel: str,
    address: str,
    messages: Iterable[Outgoing],
    beneficiary_id: int | None,
    now: datetime,
    scrub_after_send: bool = False,
) -> list[dict[str, Any]]:
    """One new row per message to one address (see :func:`new_row`)."""
    return [
        new_row(
            beneficiary_id=beneficiary_id,
            channel=channel,
            address=address,
            message=message,
            now=now,
            scrub_after_send=scrub_after_send,
        )
        for message in messages
    ]


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


async def queue_many(
    session: AsyncSession,
    items: Sequence[tuple[Beneficiary, Outgoing]],
    *,
    now: datetime,
    to: Mapping[int, tuple[str, str]] | None = None,
) -> list[int]:
    """One row per (person, message), in one multi-row ``INSERT``: a tick queues hundreds at a
    time, and one statement is what lets it keep ahead of the channels' rate limits. Their ids,
    in order.

    Each goes where the person last wrote from, or to the (channel, address) ``to`` gives for
    them (a deployment that prefers one channel for reminders)."""
    if not items:
        return []
    to = to or {}
    result = await session.execute(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
        [
            new_row(
                beneficiary_id=person.id,
                channel=to.get(person.id, (person.channel, person.address))[0],
                address=to.get(person.id, (person.channel, person.address))[1],
                message=message,
                now=now,
            )
            for person, message in items
        ],
    )
    return list(result.scalars())
