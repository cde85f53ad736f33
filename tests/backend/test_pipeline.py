"""Inbound dedupe, the outbox and its dispatcher, restarts: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.settings import Settings
from bot.base import InboundEnvelope, PermanentSendError, TransientSendError
from conversations.messages import Incoming
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock


def envelope(
    text: str | None,
    *,
    address: str = "person-1",
    external_id: str | None = None,
    choice_id: str | None = None,
) -> InboundEnvelope:
    return InboundEnvelope(
        channel="test",
        address=address,
        external_id=external_id or str(uuid.uuid4()),
        incoming=Incoming(text=text, choice_id=choice_id, language_hint="fr"),
    )


def build(settings: Settings, clock: FakeClock, adapter: RecordingAdapter) -> Runtime:
    return Runtime.build(settings, clock=clock, extra_adapters=(adapter,), raise_errors=True)


async def count(runtime: Runtime, model: type, *where: object) -> int:
    async with runtime.sessions() as session:
        return int(
            await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def test_a_redelivered_message_is_answered_once(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter()
    runtime = build(settings, clock, adapter)
    first = await runtime.inbound.receive(envelope("bonjour", external_id="update-7"))
    again = await runtime.inbound.receive(envelope("bonjour", external_id="update-7"))
    await runtime.dispatcher.run_once()
    assert not first.duplicate and first.outbox_ids
    assert again.duplicate and again.outbox_ids == ()
    assert len(adapter.sent) == len(first.outbox_ids)
    assert await count(runtime, InboundMessage) == 1
    await runtime.close()


async def test_replies_survive_a_crash_between_commit_and_send(
    settings: Settings, clock: FakeClock
) -> None:
    crashed = build(settings, clock, RecordingAdapter())
    result = await crashed.inbound.receive(envelope("bonjour"))
    await crashed.close()  # the process dies before its dispatcher runs

    adapter = RecordingAdapter()
    restarted = build(settings, clock, adapter)
    await restarted.dispatcher.run_once()
    assert len(adapter.sent) == len(result.outbox_ids) > 0
    assert await count(restarted, OutboxMessage, OutboxMessage.status == "sent") == len(
        adapter.sent
    )
    await restarted.close()


async def test_a_claim_left_by_a_dead_process_is_taken_again_after_its_lease(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter()
    runtime = build(settings, clock, adapter)
    await runtime.inbound.receive(envelope("bonjour"))
    claimed = await runtime.dispatcher._claim(["test"])  # claimed, then the process dies
    assert claimed
    assert await runtime.dispatcher.run_once() == 0, "still leased"
    clock.advance(timedelta(minutes=3))
    assert await runtime.dispatcher.run_once() == len(claimed)
    assert len(adapter.sent) == len(claimed)
    await runtime.close()


async def test_transient_failure_is_retried_with_backoff_in_order(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter(errors=[TransientSendError("bad gateway", code="502")])
    runtime = build(settings, clock, adapter)
    result = await runtime.inbound.receive(envelope("bonjour"))
    assert len(result.outbox_ids) >= 2
    await runtime.dispatcher.run_once()
    assert adapter.sent == [], "the later replies wait for the first"
    async with runtime.sessions() as session:
        first = await session.get(OutboxMessage, result.outbox_ids[0])
        assert first is not None
        assert (first.status, first.attempts, first.last_error) == ("retry", 1, "bad gateway")
    clock.advance(timedelta(seconds=1))
    assert await runtime.dispatcher.run_once() == 0, "not before the backoff"
    clock.advance(timedelta(seconds=2))
    await runtime.dispatcher.run_once()
    texts = [m.text for _, m in adapter.sent]
    assert len(texts) == len(result.outbox_ids)
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [r.payload["text"] for r in rows] == texts, "sent in the order they were written"
    await runtime.close()


async def test_retry_after_is_honoured(settings: Settings, clock: FakeClock) -> None:
    adapter = RecordingAdapter(errors=[TransientSendError("too many", code="429", retry_after=30)])
    runtime = build(settings, clock, adapter)
    await runtime.inbound.receive(envelope("bonjour"))
    await runtime.dispatcher.run_once()
    clock.advance(timedelta(seconds=29))
    await runtime.dispatcher.run_once()
    assert adapter.attempts == 1, "no retry before retry_after"
    clock.advance(timedelta(seconds=2))
    await runtime.dispatcher.run_once()
    assert adapter.attempts > 1 and adapter.sent
    await runtime.close()


async def test_permanent_failure_stops_and_stays_visible(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter(
        errors=[PermanentSendError("bot was blocked by the user", code="403", unreachable=True)]
    )
    runtime = build(settings, clock, adapter)
    result = await runtime.inbound.receive(envelope("bonjour"))
    await runtime.dispatcher.run_once()
    async with runtime.sessions() as session:
        failed = await session.get(OutboxMessage, result.outbox_ids[0])
        person = await session.scalar(select(Beneficiary))
    assert failed is not None and failed.status == "failed"
    assert failed.last_error == "403: bot was blocked by the user"
    assert person is not None and person.unreachable
    clock.advance(timedelta(hours=1))
    await runtime.dispatcher.run_once()
    assert adapter.attempts == 1, "nothing more is tried for a person who blocked the bot"
    assert await count(runtime, OutboxMessage, OutboxMessage.status == "failed") == len(
        result.outbox_ids
    )
    await runtime.inbound.receive(envelope("me revoilà"))
    await runtime.dispatcher.run_once()
    async with runtime.sessions() as session:
        person = await session.scalar(select(Beneficiary))
    assert person is not None and not person.unreachable, "writing again makes them reachable"
    assert adapter.sent
    await runtime.close()


async def test_a_rejected_message_fails_alone(settings: Settings, clock: FakeClock) -> None:
    adapter = RecordingAdapter(errors=[PermanentSendError("message too long", code="400")])
    runtime = build(settings, clock, adapter)
    result = await runtime.inbound.receive(envelope("bonjour"))
    await runtime.dispatcher.run_once()
    assert len(adapter.sent) == len(result.outbox_ids) - 1
    await runtime.close()


async def test_gives_up_after_the_last_attempt(settings: Settings, clock: FakeClock) -> None:
    settings = settings.model_copy(update={"outbox_max_attempts": 3})
    adapter = RecordingAdapter(errors=[TransientSendError("down") for _ in range(10)])
    runtime = build(settings, clock, adapter)
    result = await runtime.inbound.receive(envelope("bonjour"))
    for _ in range(5):
        await runtime.dispatcher.run_once()
        clock.advance(timedelta(minutes=20))
    async with runtime.sessions() as session:
        first = await session.get(OutboxMessage, result.outbox_ids[0])
    assert first is not None and first.status == "failed" and first.attempts == 3
    assert first.last_error and "gave up after 3 attempts" in first.last_error
    await runtime.close()


async def test_unexpected_adapter_error_is_retried_not_lost(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter(errors=[RuntimeError("boom")])
    runtime = build(settings, clock, adapter)
    await runtime.inbound.receive(envelope("bonjour"))
    await runtime.dispatcher.run_once()
    clock.advance(timedelta(seconds=5))
    await runtime.dispatcher.run_once()
    assert adapter.sent
    await runtime.close()


async def test_state_survives_a_restart(settings: Settings, clock: FakeClock) -> None:
    first = build(settings, clock, RecordingAdapter())
    for text in ["bonjour", "3", "oui", "27", "femme", "tunisie", "kasserine"]:
        await first.inbound.receive(envelope(text))
        clock.advance(timedelta(seconds=30))
    await first.close()

    adapter = RecordingAdapter()
    second = build(settings, clock, adapter)
    await second.inbound.receive(envelope("1"))  # "sans emploi", the work question
    await second.dispatcher.run_once()
    async with second.sessions() as session:
        person = await session.scalar(select(Beneficiary))
    assert person is not None
    assert person.profile == {
        "age": 27,
        "gender": "woman",
        "country": "tn",
        "governorate": "kasserine",
        "work": "unemployed",
    }
    assert person.state["params"]["q"] == "returned_from_abroad"
    await second.close()


async def test_messages_of_one_person_at_once_are_handled_one_by_one(
    settings: Settings, clock: FakeClock
) -> None:
    runtime = build(settings, clock, RecordingAdapter())
    await runtime.inbound.receive(envelope("bonjour"))
    results = await asyncio.gather(
        *(runtime.inbound.receive(envelope(t)) for t in ["1", "2", "3", "1", "menu"])
    )
    assert all(r.outbox_ids for r in results)
    assert await count(runtime, Beneficiary) == 1
    assert await count(runtime, InboundMessage) == 6
    await runtime.close()


async def test_two_dispatchers_send_each_message_once(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter()
    one = build(settings, clock, adapter)
    two = build(settings, clock, adapter)
    for index in range(30):
        await one.inbound.receive(envelope("bonjour", address=f"person-{index}"))
    queued = await count(one, OutboxMessage)
    while await asyncio.gather(one.dispatcher.run_once(), two.dispatcher.run_once()) != [0, 0]:
        pass
    assert len(adapter.sent) == queued
    assert await count(one, OutboxMessage, OutboxMessage.status == "sent") == queued
    await one.close()
    await two.close()


async def test_stop_cancels_a_reminder_already_queued(
    settings: Settings, clock: FakeClock
) -> None:
    from backend.conversations.outbox import queue_for
    from conversations.messages import Outgoing

    adapter = RecordingAdapter()
    runtime = build(settings, clock, adapter)
    await runtime.inbound.receive(envelope("bonjour"))
    await runtime.dispatcher.run_once()
    async with runtime.sessions() as session, session.begin():
        person = await session.scalar(select(Beneficiary))
        assert person is not None
        reminder = Outgoing(text="Rappel", language="fr", kind="reminder")
        reply = Outgoing(text="Réponse", language="fr", kind="staff_reply")
        await queue_for(session, beneficiary=person, messages=[reminder, reply], now=clock())
    await runtime.inbound.receive(envelope("stop"))
    sent_before = len(adapter.sent)
    await runtime.dispatcher.run_once()
    texts = [m.text for _, m in adapter.sent[sent_before:]]
    assert "Rappel" not in texts and "Réponse" in texts
    async with runtime.sessions() as session:
        cancelled = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.status == "cancelled")
        )
    assert cancelled is not None and cancelled.last_error == "the person typed stop"
    await runtime.close()
