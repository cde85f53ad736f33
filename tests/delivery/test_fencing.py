"""A claim whose lease ran out cannot record over the claim that took the row after it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.models import OutboxMessage
from backend.db.session import make_engine, make_session_factory
from backend.services.dispatcher import Dispatcher
from backend.services.outbound import queue_messages
from bot.base import TransientSendError
from conversations.messages import Outgoing
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock

PERSON_ADDRESS = "+21698765432"
PERSON_TEXT = "Votre code personnel est 4711"


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    await engine.dispose()


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


async def test_a_stale_claims_result_is_dropped_and_logged_without_personal_data(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    slow_adapter = RecordingAdapter(errors=[TransientSendError("bad gateway", code="502")])
    fast_adapter = RecordingAdapter()
    slow = Dispatcher(session_factory=sessions, adapters={"test": slow_adapter}, clock=clock)
    fast = Dispatcher(session_factory=sessions, adapters={"test": fast_adapter}, clock=clock)
    row_id = await queue_one(sessions, clock)

    stale = await slow._claim(["test"])
    clock.advance(timedelta(minutes=3))  # the slow process's lease runs out
    assert await fast.run_once() == 1
    caplog.set_level(logging.INFO)
    # The slow process comes back and records its (failed) attempt: it must not count.
    await slow._send_one(stale[0])

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
