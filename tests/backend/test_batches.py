"""Messages that arrive together share one transaction, and still behave as if alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from backend.cases.models import Case, CaseMessage
from backend.conversations.batching import Batches
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.backend.test_pipeline import build, count, envelope
from tests.support import FakeClock

PEOPLE = 20


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
