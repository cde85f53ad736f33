"""Broadcasts: to a segment, at their time but never in quiet hours, once per person, in each
person's language, with progress counts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from backend.broadcasts.models import Broadcast, BroadcastRecipient
from backend.broadcasts.service import create_broadcast, progress
from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from backend.scheduler import tick
from backend.settings import Settings
from bot.base import PermanentSendError
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, build, tick_at, tunis
from tests.support import FakeClock

TEXTS = {
    "fr": "Réunion d'information jeudi à 10h.",
    "ar": "اجتماع إعلامي يوم الخميس على الساعة 10.",
}


async def schedule(runtime: Runtime, segment: dict[str, Any], send_at: datetime) -> int:
    async with runtime.sessions() as session, session.begin():
        broadcast = await create_broadcast(
            session,
            segment=segment,
            texts=TEXTS,
            send_at=send_at,
            staff_id=None,
            now=runtime.clock(),
        )
        return broadcast.id


async def recipients(runtime: Runtime, broadcast_id: int) -> dict[int | None, str]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(BroadcastRecipient.beneficiary_id, BroadcastRecipient.status).where(
                BroadcastRecipient.broadcast_id == broadcast_id
            )
        )
        return {person: status for person, status in rows}


async def test_a_broadcast_reaches_its_segment_once_in_each_language_and_skips_stop(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    kasserine = {"country": "tn", "governorate": "kasserine"}
    fr = await add_person(rt, program="iess", profile=kasserine)
    ar = await add_person(rt, program="iess", profile=kasserine, language="ar")
    pt = await add_person(rt, program="iess", profile=kasserine, language="pt")
    stopped = await add_person(rt, program="iess", profile=kasserine, opted_out=True)
    await add_person(rt, program="iess", profile={"country": "tn", "governorate": "tunis"})
    await add_person(rt, program="utss-cad", profile=kasserine)
    await add_person(rt, program="iess", profile=kasserine, status="rejected")
    sent = await schedule(
        rt,
        {"program": "iess", "governorate": "kasserine", "application_status": "accepted"},
        tunis(2026, 11, 24, 10, 0),
    )
    await tick_at(rt, clock, tunis(2026, 11, 24, 9, 59))
    assert await recipients(rt, sent) == {}, "not before its time"
    report = await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 1))
    assert report.broadcast_messages == 3
    assert await recipients(rt, sent) == {
        fr: "queued",
        ar: "queued",
        pt: "queued",
        stopped: "skipped",
    }
    await rt.dispatcher.run_once()
    by_language = {m.language: m for _, m in adapter.sent}
    assert by_language["ar"].text == TEXTS["ar"] and by_language["ar"].direction == "rtl"
    assert by_language["fr"].text == TEXTS["fr"], "Portuguese falls back to French"
    assert len(adapter.sent) == 3 and {m.kind for _, m in adapter.sent} == {"broadcast"}
    async with rt.sessions() as session:
        figures = (await progress(session, [sent]))[sent]
        done = await session.get(Broadcast, sent)
    assert (figures.recipients, figures.skipped, figures.queued, figures.sent) == (4, 1, 0, 3)
    assert done is not None and done.status == "done"


async def test_progress_counts_queued_sent_and_failed(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    for _ in range(3):
        await add_person(rt, program="iess")
    sent = await schedule(rt, {"program": "iess"}, tunis(2026, 11, 24, 10, 0))
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    async with rt.sessions() as session:
        queued = (await progress(session, [sent]))[sent]
    assert (queued.queued, queued.sent, queued.failed) == (3, 0, 0)
    adapter.errors.append(PermanentSendError("blocked", code="403", unreachable=True))
    await rt.dispatcher.run_once()
    async with rt.sessions() as session:
        after = (await progress(session, [sent]))[sent]
    assert (after.queued, after.sent, after.failed) == (0, 2, 1)


async def test_a_broadcast_due_in_quiet_hours_waits_for_the_morning(
    rt: Runtime, clock: FakeClock
) -> None:
    await add_person(rt, program="iess")
    sent = await schedule(rt, {"language": "fr"}, tunis(2026, 11, 24, 22, 0))
    await tick_at(rt, clock, tunis(2026, 11, 24, 22, 0))
    await tick_at(rt, clock, tunis(2026, 11, 25, 7, 59))
    assert await recipients(rt, sent) == {}
    await tick_at(rt, clock, tunis(2026, 11, 25, 8, 0))
    assert list((await recipients(rt, sent)).values()) == ["queued"]


async def test_two_processes_expanding_one_broadcast_in_batches_reach_each_person_once(
    settings: Settings, clock: FakeClock
) -> None:
    small = settings.model_copy(update={"reminder_batch_size": 3})
    first = build(small, clock, RecordingAdapter())
    second = build(small, clock, RecordingAdapter())
    people = [await add_person(first, language="ar" if n % 2 else "fr") for n in range(11)]
    sent = await schedule(first, {}, tunis(2026, 11, 24, 10, 0))
    clock.now = tunis(2026, 11, 24, 10, 0)
    await asyncio.gather(tick(first), tick(second), tick(first))
    assert set(await recipients(first, sent)) == set(people)
    async with first.sessions() as session:
        messages = await session.scalar(select(func.count()).select_from(OutboxMessage))
        row = await session.get(Broadcast, sent)
    assert messages == 11 and row is not None and (row.status, row.cursor) == ("done", people[-1])
    await first.close()
    await second.close()


async def test_a_broadcast_found_long_after_its_time_expires_instead_of_surprising_people(
    rt: Runtime, clock: FakeClock
) -> None:
    await add_person(rt, program="iess")
    sent = await schedule(rt, {"program": "iess"}, tunis(2026, 11, 24, 10, 0))
    await tick_at(rt, clock, tunis(2026, 11, 26, 10, 0))
    async with rt.sessions() as session:
        row = await session.get(Broadcast, sent)
    assert row is not None and row.status == "expired"
    assert await recipients(rt, sent) == {}
