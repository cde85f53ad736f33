"""Draining the outbox with a batch claimed while another sends: every row goes once and in
order per address, and the rows waiting behind a batch still sending are claimed as soon as it
is done, not left for the next tick."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from backend.db.base import utcnow
from bot.base import SendResult
from conversations.messages import Outgoing

#: Three people with a long queue each (a batch holds only part of it), forty with one reply.
BUSY = {f"busy-{n}": 30 for n in range(3)}
ONE_EACH = {f"chat-{n}": 1 for n in range(40)}


class UnevenChannel:
    """Takes a different short while for each send, so a later batch could overtake an
    earlier one if the claim let it; keeps what it sent, in the order it went out."""

    name = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self._random = random.Random(7)

    async def send(self, address: str, message: Outgoing) -> SendResult:
        await asyncio.sleep(self._random.random() * 0.004)
        self.sent.append((address, int(message.text)))
        return SendResult(external_id=str(len(self.sent)))


async def test_draining_sends_every_row_once_in_order_per_address(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    queues = BUSY | ONE_EACH
    async with sessions() as session, session.begin():
        for address, count in queues.items():
            await queue_messages(
                session,
                channel="test",
                address=address,
                messages=[Outgoing(text=str(n), language="fr") for n in range(count)],
                beneficiary_id=None,
                now=utcnow(),
            )
    channel = UnevenChannel()
    dispatcher = Dispatcher(session_factory=sessions, adapters={"test": channel}, batch_size=10)

    await dispatcher.drain()

    assert len(channel.sent) == sum(queues.values())
    for address, count in queues.items():
        assert [n for a, n in channel.sent if a == address] == list(range(count)), address
    async with sessions() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}
