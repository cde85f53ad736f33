"""Broadcasts reach only people who agreed to the consent text."""

from __future__ import annotations

from backend.runtime import Runtime
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, tick_at, tunis
from tests.reminders.test_broadcasts import recipients, schedule
from tests.support import FakeClock


async def test_a_language_only_segment_skips_people_who_only_typed_start(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    agreed = await add_person(rt)
    only_started = await add_person(rt, consented=False)
    sent = await schedule(rt, {"language": "fr"}, tunis(2026, 11, 24, 10, 0))
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 1))
    reached = await recipients(rt, sent)
    assert agreed in reached
    assert only_started not in reached
