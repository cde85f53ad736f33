"""On PostgreSQL, holding a person for a turn never keeps the outbox waiting, nor the other way.

A row that refers to a person (an outbox row, a reminder) has its key checked under a share lock
on the person when it is written. The inbound batch's lock on the people who write, and the
dispatcher's recording of results, were both stronger than they needed to be: under a burst the
two deadlocked (PostgreSQL breaks a deadlock after a second, failing the batch)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.cases.service import locked_person
from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from backend.people.addresses import writers_at
from conversations.messages import Outgoing
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock

#: Long enough for a statement that does not wait; a statement that waits for the open
#: transaction waits until it ends.
PATIENCE = 5.0


@pytest.fixture
def postgres(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks: one writer at a time, nothing to wait for")


async def a_person(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> int:
    async with sessions() as session, session.begin():
        found = await writers_at(
            session, channel="test", address="216", default_language="fr", now=clock()
        )
        return found.rows[0][0].id


async def queue_for(
    sessions: async_sessionmaker[AsyncSession], person: int, clock: FakeClock
) -> int:
    async with sessions() as session, session.begin():
        rows = await queue_messages(
            session,
            channel="test",
            address="216",
            messages=[Outgoing(text="Bonjour", language="fr")],
            beneficiary_id=person,
            now=clock(),
        )
        return rows[0].id


@pytest.fixture
async def holding(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A transaction left open, for a test to take locks in."""
    async with sessions() as session:
        await session.begin()
        try:
            yield session
        finally:
            await session.rollback()


@pytest.mark.usefixtures("postgres")
@pytest.mark.parametrize("holder", ["a turn", "staff answering"])
async def test_a_reply_is_queued_for_a_person_while_they_are_held(
    sessions: async_sessionmaker[AsyncSession], holding: AsyncSession, holder: str
) -> None:
    clock = FakeClock()
    person = await a_person(sessions, clock)
    if holder == "a turn":
        await writers_at(
            holding, channel="test", address="216", default_language="fr", now=clock()
        )
    else:
        assert await locked_person(holding, person) is not None

    row_id = await asyncio.wait_for(queue_for(sessions, person, clock), PATIENCE)

    async with sessions() as session:
        assert await session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))


@pytest.mark.usefixtures("postgres")
async def test_a_sent_reply_is_recorded_while_the_person_is_locked(
    sessions: async_sessionmaker[AsyncSession], holding: AsyncSession
) -> None:
    """Even under the strongest lock (staff merging or erasing the person), recording a
    result needs nothing of the person: it writes no key."""
    clock = FakeClock()
    person = await a_person(sessions, clock)
    row_id = await queue_for(sessions, person, clock)
    await holding.execute(
        text("SELECT id FROM beneficiaries WHERE id = :id FOR UPDATE"), {"id": person}
    )
    adapter = RecordingAdapter()
    dispatcher = Dispatcher(session_factory=sessions, adapters={"test": adapter}, clock=clock)

    assert await asyncio.wait_for(dispatcher.run_once(), PATIENCE) == 1

    async with sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None and row.status == "sent"
    assert [(address, message.text) for address, message in adapter.sent] == [("216", "Bonjour")]
