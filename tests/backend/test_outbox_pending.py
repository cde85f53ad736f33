"""An inbound batch's replies wait to be written as one statement, and nobody can tell: they
are written in the order they were queued, before anything the same transaction flushes
later, and before any statement that reads or deletes the outbox (a person erasing their
data in the same batch leaves none of their messages behind)."""

from __future__ import annotations

from sqlalchemy import delete, select

from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from backend.conversations.outbox_pending import defer_outbox, queue_later, write_pending
from backend.people.erasure import erase_beneficiary
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from conversations.messages import Outgoing
from tests.support import FakeClock

ADDRESS = "chat-1"


def _say(text: str) -> list[Outgoing]:
    return [Outgoing(text=text, language="fr")]


async def _person(runtime: Runtime) -> int:
    async with runtime.sessions() as session, session.begin():
        person = Beneficiary(channel="telegram", address=ADDRESS, language="fr")
        session.add(person)
        await session.flush()
        return person.id


async def _texts(runtime: Runtime, address: str = ADDRESS) -> list[str]:
    async with runtime.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.address == address)
            .order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows]


async def test_rows_queued_later_by_the_orm_come_after_the_waiting_ones(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.sessions() as session, session.begin():
        defer_outbox(session)
        waiting = queue_later(
            session, channel="telegram", address=ADDRESS, messages=_say("first"),
            beneficiary_id=None, now=clock(),
        )  # fmt: skip
        later = await queue_messages(
            session, channel="telegram", address=ADDRESS, messages=_say("second"),
            beneficiary_id=None, now=clock(),
        )  # fmt: skip
        await write_pending(session)
    assert waiting[0].id is not None and waiting[0].id < later[0].id
    assert await _texts(runtime) == ["first", "second"]


async def test_a_batch_writes_its_rows_in_the_order_they_were_queued(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.sessions() as session, session.begin():
        defer_outbox(session)
        queued = [
            queue_later(
                session, channel="telegram", address=ADDRESS, messages=_say(str(n)),
                beneficiary_id=None, now=clock(),
            )[0]
            for n in range(7)
        ]  # fmt: skip
        await write_pending(session)
    ids = [row.id for row in queued]
    assert all(ids) and ids == sorted(ids)
    assert await _texts(runtime) == [str(n) for n in range(7)]


async def test_a_statement_on_the_outbox_sees_the_waiting_rows(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.sessions() as session, session.begin():
        defer_outbox(session)
        queue_later(
            session, channel="telegram", address=ADDRESS, messages=_say("waiting"),
            beneficiary_id=None, now=clock(),
        )  # fmt: skip
        found = await session.scalars(
            select(OutboxMessage.address).where(OutboxMessage.address == ADDRESS)
        )
        assert list(found) == [ADDRESS]
        await session.execute(delete(OutboxMessage).where(OutboxMessage.address == ADDRESS))
        await write_pending(session)
    assert await _texts(runtime) == []


async def test_erasing_a_person_in_the_batch_takes_their_waiting_messages_too(
    runtime: Runtime, clock: FakeClock
) -> None:
    """The same person wrote from another address earlier in the batch, then asked to be
    erased: the reply to the first message must not outlive them (nor break the batch)."""
    person = await _person(runtime)
    async with runtime.sessions() as session, session.begin():
        defer_outbox(session)
        queue_later(
            session, channel="telegram", address=ADDRESS, messages=_say("for them"),
            beneficiary_id=person, now=clock(),
        )  # fmt: skip
        await erase_beneficiary(session, beneficiary_id=person)
        await write_pending(session)
    assert await _texts(runtime) == []
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, person) is None
