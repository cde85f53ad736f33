"""Messages that arrive together share one transaction, and still behave as if alone."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from backend.cases.models import Case, CaseMessage
from backend.conversations.batching import Batches
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.addresses import add_address
from backend.people.models import Address, Beneficiary, Consent
from backend.settings import Settings
from conversations.messages import Incoming
from tests.backend.fakes import RecordingAdapter
from tests.backend.test_pipeline import build, count, envelope
from tests.support import FakeClock

PEOPLE = 20


@contextlib.contextmanager
def statements_run(runtime: Any) -> Iterator[list[str]]:
    """The first three words of every statement the runtime's database runs in the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()[:3]))

    event.listen(runtime.db.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.db.sync_engine, "before_cursor_execute", record)


async def _walk_in(runtime: Any, clock: FakeClock, addresses: Sequence[str]) -> None:
    """Everyone says hello, asks to be oriented and consents, one at a time."""
    for address in addresses:
        for text in ["bonjour", "3", "oui"]:
            await runtime.inbound.receive(envelope(text, address=address))
    clock.advance(timedelta(seconds=30))


async def test_messages_arriving_together_are_committed_together(
    settings: Settings, clock: FakeClock
) -> None:
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(PEOPLE)]
    await _walk_in(runtime, clock, addresses)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(runtime.db.sync_engine, "commit", committed)
    results = await asyncio.gather(
        *(runtime.inbound.receive(envelope("menu", address=a)) for a in addresses)
    )
    event.remove(runtime.db.sync_engine, "commit", committed)
    assert all(r.outbox_ids and not r.duplicate for r in results)
    assert len(commits) <= 2  # one batch, or the first alone and the rest together
    async with runtime.sessions() as session:
        kept = await session.scalars(select(InboundMessage).where(InboundMessage.text == "menu"))
        assert sorted(row.beneficiary_id or 0 for row in kept) == sorted(
            (await session.scalars(select(Beneficiary.id))).all()
        )
    await runtime.close()


async def test_a_message_that_fails_costs_the_others_of_its_batch_nothing(
    settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(5)]
    await _walk_in(runtime, clock, addresses)
    handle = runtime.engine.handle

    async def poisoned(conversation: Any, incoming: Any, **kwargs: Any) -> Any:
        if incoming.text == "boom":
            raise RuntimeError("this message breaks the engine")
        return await handle(conversation, incoming, **kwargs)

    monkeypatch.setattr(runtime.engine, "handle", poisoned)
    texts = ["menu", "menu", "boom", "menu", "menu"]
    results = await asyncio.gather(
        *(
            runtime.inbound.receive(envelope(t, address=a))
            for t, a in zip(texts, addresses, strict=True)
        ),
        return_exceptions=True,
    )
    assert isinstance(results[2], RuntimeError)
    answered = [r for i, r in enumerate(results) if i != 2]
    assert all(not isinstance(r, BaseException) and r.outbox_ids for r in answered)
    # The failed one left nothing: it is received anew when the channel delivers it again.
    assert await count(runtime, InboundMessage, InboundMessage.text == "boom") == 0
    assert await count(runtime, InboundMessage, InboundMessage.text == "menu") == 4
    await runtime.close()


async def test_one_person_writing_from_two_addresses_at_once_is_read_afresh(
    settings: Settings, clock: FakeClock
) -> None:
    """Both messages land in one batch: the second sees what the first did (here, the case
    it opened), so it goes to staff instead of being answered by the bot."""
    runtime = build(settings, clock, RecordingAdapter())
    await _walk_in(runtime, clock, ["person-1"])
    async with runtime.sessions() as session, session.begin():
        person = await session.scalar(select(Beneficiary))
        assert person is not None
        await add_address(session, person, now=clock(), channel="test", address="person-1b")
    queued_before = await count(runtime, OutboxMessage)
    first, second = await asyncio.gather(
        runtime.inbound.receive(envelope("agent", address="person-1")),
        runtime.inbound.receive(envelope("j'ai une question", address="person-1b")),
    )
    assert first.outbox_ids and not second.duplicate
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case).where(Case.status == "open"))
        assert case is not None
        said = (await session.scalars(select(CaseMessage.text))).all()
    assert "j'ai une question" in said
    assert await count(runtime, OutboxMessage) == queued_before + len(first.outbox_ids) + len(
        second.outbox_ids
    )
    await runtime.close()


async def test_items_waiting_together_go_in_one_call_in_their_order() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        await asyncio.sleep(0)
        return [item * 10 for item in items]

    batches: Batches[int, int] = Batches(handle, size=3)
    results = await asyncio.gather(*(batches.submit(n) for n in range(7)))
    assert results == [n * 10 for n in range(7)]
    assert calls == [[0, 1, 2], [3, 4, 5], [6]]


async def test_a_failed_batch_is_handled_again_one_by_one() -> None:
    calls: list[list[int]] = []

    async def handle(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        if 2 in items:
            raise ValueError("two is poison")
        return list(items)

    batches: Batches[int, int] = Batches(handle, size=10)
    results = await asyncio.gather(*(batches.submit(n) for n in range(4)), return_exceptions=True)
    assert results[:2] == [0, 1] and results[3] == 3
    assert isinstance(results[2], ValueError)
    assert calls == [[0, 1, 2, 3], [0], [1], [2], [3]]


async def test_finishing_waits_for_the_batch_being_handled() -> None:
    release = asyncio.Event()
    done: list[int] = []

    async def handle(items: Sequence[int]) -> list[int]:
        await release.wait()
        done.extend(items)
        return list(items)

    batches: Batches[int, int] = Batches(handle, size=10)
    caller = asyncio.create_task(batches.submit(1))
    await asyncio.sleep(0)
    caller.cancel()  # polling stopped: nobody waits for the answer any more
    finishing = asyncio.create_task(batches.finish())
    await asyncio.sleep(0)
    assert not finishing.done()
    release.set()
    await finishing
    assert done == [1]


async def test_a_batch_writes_each_table_of_people_in_one_update(
    settings: Settings, clock: FakeClock
) -> None:
    """People who changed differently (some gave a new name on the channel, the others not)
    are written by one UPDATE per table, each with their own values: the ORM would start a new
    statement at every change of the columns written, about one per person."""
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(8)]
    await _walk_in(runtime, clock, addresses)

    def named(n: int) -> str | None:
        return f"Amina {n}" if n % 2 else None

    batch = [
        dataclasses.replace(
            envelope("menu", address=a),
            incoming=Incoming(text="menu", language_hint="fr", sender_name=named(n)),
        )
        for n, a in enumerate(addresses)
    ]
    with statements_run(runtime) as statements:
        results = await asyncio.gather(*(runtime.inbound.receive(e) for e in batch))
    assert all(r.outbox_ids for r in results)
    # The first message may go alone, the others together (see the test above).
    assert statements.count("UPDATE beneficiaries SET") <= 2
    assert statements.count("UPDATE addresses SET") <= 2
    async with runtime.sessions() as session:
        people = {p.address: p for p in await session.scalars(select(Beneficiary))}
        at = {a.address: a for a in await session.scalars(select(Address))}
    for n, address in enumerate(addresses):
        assert people[address].channel_name == named(n) == at[address].channel_name
        assert people[address].state["node"] == "menu"
        assert at[address].last_inbound_at is not None
    await runtime.close()


async def test_people_consenting_together_are_written_together(
    settings: Settings, clock: FakeClock
) -> None:
    """Keeping a consent (and counting a funnel step) reads nothing, so it does not flush the
    earlier turns of the batch first: those would go in statements of their own."""
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(8)]
    for address in addresses:
        for text in ["bonjour", "3"]:
            await runtime.inbound.receive(envelope(text, address=address))
    with statements_run(runtime) as statements:
        await asyncio.gather(
            *(runtime.inbound.receive(envelope("oui", address=a)) for a in addresses)
        )
    assert statements.count("INSERT INTO consents") == len(addresses)
    assert statements.count("UPDATE beneficiaries SET") <= 2
    async with runtime.sessions() as session:
        consented = await session.scalars(select(Beneficiary.consent_version))
        assert all(version is not None for version in consented)
        assert await session.scalar(select(func.count()).select_from(Consent)) == len(addresses)
    await runtime.close()


async def test_people_reading_their_trainings_and_loans_together_are_written_together(
    settings: Settings, clock: FakeClock
) -> None:
    """A turn that reads the person's trainings or next payment flushes nothing the query
    does not read: the earlier turns' people and replies still go with the batch."""
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(8)]
    await _walk_in(runtime, clock, addresses)
    for address in addresses:
        await runtime.inbound.receive(envelope("menu", address=address))
    clock.advance(timedelta(minutes=1))
    with statements_run(runtime) as statements:
        results = await asyncio.gather(
            *(
                runtime.inbound.receive(envelope("6" if n % 2 else "7", address=a))
                for n, a in enumerate(addresses)
            )
        )
    assert statements.count("SELECT installments.id, installments.loan_id,") == 4
    assert statements.count("SELECT trainings.id, trainings.program,") == 4
    assert statements.count("INSERT INTO outbox") <= 2
    assert statements.count("UPDATE beneficiaries SET") <= 2
    async with runtime.sessions() as session:
        said = {
            row.id: row.payload["text"]
            for row in await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.id.in_([i for r in results for i in r.outbox_ids])
                )
            )
        }
    for n, result in enumerate(results):
        first = said[result.outbox_ids[0]]
        assert ("paiement" if n % 2 else "session") in first
    await runtime.close()


async def test_batches_of_any_size_record_their_keys_with_one_compiled_statement(
    settings: Settings, clock: FakeClock
) -> None:
    """The inbound keys of a batch go as one statement given its rows as parameters: compiled
    for the first batch, then taken from SQLAlchemy's cache whatever the batch's size (rows
    written into the statement made a new one to compile, milliseconds, for every batch)."""
    runtime = build(settings, clock, RecordingAdapter())
    addresses = [f"person-{n}" for n in range(6)]
    await _walk_in(runtime, clock, addresses)
    reused: list[bool] = []

    def record(
        _conn: object, _cursor: object, statement: str, _p: object, context: Any, _m: object
    ) -> None:
        if statement.startswith("INSERT INTO inbound_messages"):
            reused.append(context.cache_hit == context.dialect.CACHE_HIT)

    event.listen(runtime.db.sync_engine, "before_cursor_execute", record)
    try:
        for size in (2, 5, 3):
            batch = [envelope("menu", address=a) for a in addresses[:size]]
            results = await asyncio.gather(*(runtime.inbound.receive(e) for e in batch))
            assert all(r.outbox_ids for r in results)
    finally:
        event.remove(runtime.db.sync_engine, "before_cursor_execute", record)
    # The first batch of several compiles it (one message alone is a statement of its own).
    assert len(reused) == 3 and all(reused[1:])
    await runtime.close()
