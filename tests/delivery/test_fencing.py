"""A claim whose lease ran out cannot record over the claim that took the row after it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from bot.base import SendResult, TransientSendError
from conversations.messages import Outgoing
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock

PERSON_ADDRESS = "+21698765432"
PERSON_TEXT = "Votre code personnel est 4711"


async def queue_one(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> int:
    async with sessions() as session, session.begin():
        rows = await queue_messages(
            session,
            channel="test",
            address=PERSON_ADDRESS,
            messages=[Outgoing(text=PERSON_TEXT, language="fr")],
            beneficiary_id=None,
            now=clock(),
        )
    return rows[0].id


@dataclass
class SlowAdapter:
    """Sends so slowly that the lease runs out, while another process takes the row over;
    then reports a failure, which must not count."""

    clock: FakeClock
    other: Dispatcher | None = None
    name: str = "test"

    async def send(self, address: str, message: Outgoing) -> SendResult:
        self.clock.advance(timedelta(minutes=3))
        assert self.other is not None
        assert await self.other.run_once() == 1
        raise TransientSendError("bad gateway", code="502")


async def test_a_stale_claims_result_is_dropped_and_logged_without_personal_data(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    slow_adapter = SlowAdapter(clock)
    slow = Dispatcher(session_factory=sessions, adapters={"test": slow_adapter}, clock=clock)
    fast = Dispatcher(session_factory=sessions, adapters={"test": RecordingAdapter()}, clock=clock)
    slow_adapter.other = fast
    row_id = await queue_one(sessions, clock)
    caplog.set_level(logging.INFO)

    assert await slow.run_once() == 1

    async with sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        assert (row.status, row.external_id, row.attempts) == ("sent", "ext-1", 1)
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert dropped == [
        f"outbox message {row_id}: result retry dropped, this claim no longer holds the row"
    ]
    assert PERSON_ADDRESS not in caplog.text and PERSON_TEXT not in caplog.text


async def test_a_claim_too_slow_to_start_sending_leaves_the_rows_alone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    adapter = RecordingAdapter()
    dispatcher = Dispatcher(session_factory=sessions, adapters={"test": adapter}, clock=clock)
    row_id = await queue_one(sessions, clock)
    stale = await dispatcher._claim(["test"])
    clock.advance(timedelta(minutes=3))
    await dispatcher._send_batch(stale)
    assert adapter.sent == []
    assert await dispatcher.run_once() == 1
    assert len(adapter.sent) == 1
    async with sessions() as session:
        status = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.id == row_id)
        )
    assert status == "sent"
