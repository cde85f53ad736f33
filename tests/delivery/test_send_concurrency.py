"""How many addresses the dispatcher sends to at once: a channel that needs no database
connection is not held to the pool's size (the pool was the bound of a whole burst's
delivery); a channel's policy, which may hold a connection for each send, still is."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.dispatcher import Dispatcher
from backend.conversations.outbox import queue_messages
from bot.base import SendResult
from conversations.messages import Outgoing
from tests.support import FakeClock

ADDRESSES = 6


class CountingChannel:
    """Holds each send until ``ADDRESSES`` are in flight (or a short while has passed), and
    keeps the most that were ever in flight together."""

    name = "test"

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self._all_in = asyncio.Event()

    async def send(self, address: str, message: Outgoing) -> SendResult:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        if self.in_flight == ADDRESSES:
            self._all_in.set()
        try:
            await asyncio.wait_for(self._all_in.wait(), timeout=0.3)
        except TimeoutError:
            pass
        finally:
            self.in_flight -= 1
        return SendResult()


class PassThrough:
    """A policy that lets everything through (as WhatsApp's window does inside it)."""

    def __init__(self, channel: CountingChannel) -> None:
        self.channel = channel

    async def send(
        self,
        message: Outgoing,
        *,
        address: str,
        beneficiary_id: int | None,
        payload: Mapping[str, Any],
    ) -> SendResult:
        return await self.channel.send(address, message)


async def queue(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> None:
    async with sessions() as session, session.begin():
        for n in range(ADDRESSES):
            await queue_messages(
                session,
                channel="test",
                address=f"chat-{n}",
                messages=[Outgoing(text="Bonjour", language="fr")],
                beneficiary_id=None,
                now=clock(),
            )


async def test_a_channel_without_a_policy_sends_to_every_address_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    channel = CountingChannel()
    dispatcher = Dispatcher(
        session_factory=sessions, adapters={"test": channel}, clock=clock, concurrency=2
    )
    await queue(sessions, clock)

    assert await dispatcher.run_once() == ADDRESSES
    assert channel.most == ADDRESSES


async def test_a_channel_with_a_policy_stays_within_the_pool(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    channel = CountingChannel()
    dispatcher = Dispatcher(
        session_factory=sessions,
        adapters={"test": channel},
        clock=clock,
        concurrency=2,
        policies={"test": PassThrough(channel)},
    )
    await queue(sessions, clock)

    assert await dispatcher.run_once() == ADDRESSES
    assert channel.most == 2
