"""Replies are written many to a statement on every database, and keep the order they were
queued in: one statement per row on SQLite was most of the statements of a busy bot."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_many, queue_messages
from backend.db.base import utcnow
from backend.people.models import Beneficiary
from conversations.messages import Outgoing


async def test_a_batch_of_replies_is_one_insert_in_queued_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inserts: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            inserts.append(statement)

    now = utcnow()
    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with sessions() as session, session.begin():
            rows = await queue_messages(
                session,
                channel="telegram",
                address="42",
                messages=[Outgoing(text=f"part {n}", language="fr") for n in range(30)],
                beneficiary_id=None,
                now=now,
            )
            assert len(inserts) == 1
            person = Beneficiary(channel="telegram", address="7", language="ar")
            session.add(person)
            await session.flush()
            reminders = await queue_many(
                session,
                [(person, Outgoing(text=f"rappel {n}", language="ar")) for n in range(20)],
                now=now,
            )
            assert len(inserts) == 2
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    async with sessions() as session:
        stored = (await session.execute(select(OutboxMessage.id, OutboxMessage.payload))).all()
    text_of = {row.id: row.payload["text"] for row in stored}
    assert [text_of[row.id] for row in rows] == [f"part {n}" for n in range(30)]
    assert [row.id for row in rows] == sorted(row.id for row in rows)
    assert [text_of[i] for i in reminders] == [f"rappel {n}" for n in range(20)]
    assert reminders == sorted(reminders)
