"""Before a broadcast goes: how many people its segment reaches, by the rule its expansion
follows. After: cancelling it stops what is queued, and the unsent never go."""

from __future__ import annotations

import random
from typing import Any

import httpx
from sqlalchemy import select

from backend.broadcasts.segments import count_segment
from backend.broadcasts.service import cancel_broadcast, create_broadcast, progress
from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from tests.api.conftest import make_staff
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, tick_at, tunis
from tests.support import FakeClock

KASSERINE = {"country": "tn", "governorate": "kasserine"}


async def reach(runtime: Runtime, segment: dict[str, Any]) -> tuple[int, int]:
    async with runtime.sessions() as session:
        found = await count_segment(session, segment)
    return found.matching, found.reachable


async def test_the_count_before_sending_is_what_the_expansion_then_reaches(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    await add_person(rt, program="iess", profile=KASSERINE)
    await add_person(rt, program="iess", profile=KASSERINE, language="ar")
    await add_person(rt, program="iess", profile=KASSERINE, opted_out=True)
    await add_person(rt, program="iess", profile={"country": "tn", "governorate": "tunis"})
    await add_person(rt, program="utss-cad", profile=KASSERINE)
    await add_person(rt, program="iess", profile=KASSERINE, status="rejected")
    segment = {"program": "iess", "governorate": "kasserine", "application_status": "accepted"}

    assert await reach(rt, segment) == (3, 2)
    assert await reach(rt, {"program": "iess"}) == (5, 4), "no profile criteria: counted in SQL"
    assert await reach(rt, {"language": "ar"}) == (1, 1)
    assert await reach(rt, {"country": ["tn"], "program": "utss-cad"}) == (1, 1)

    async with rt.sessions() as session, session.begin():
        broadcast = await create_broadcast(
            session,
            segment=segment,
            texts={"fr": "Réunion jeudi."},
            send_at=tunis(2026, 11, 24, 10, 0),
            staff_id=None,
            now=rt.clock(),
        )
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    async with rt.sessions() as session:
        done = (await progress(session, [broadcast.id]))[broadcast.id]
    assert (done.recipients, done.recipients - done.skipped) == (3, 2)


async def test_a_cancelled_broadcast_sends_none_of_what_it_had_queued(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    people = [await add_person(rt, program="iess") for _ in range(3)]
    async with rt.sessions() as session, session.begin():
        broadcast = await create_broadcast(
            session,
            segment={"program": "iess"},
            texts={"fr": "Réunion jeudi."},
            send_at=tunis(2026, 11, 24, 10, 0),
            staff_id=None,
            now=rt.clock(),
        )
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    async with rt.sessions() as session, session.begin():
        assert await cancel_broadcast(session, broadcast_id=broadcast.id) is not None
    await rt.dispatcher.run_once()
    assert adapter.sent == [], "nothing queued before the cancel goes out after it"
    async with rt.sessions() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
        counts = (await progress(session, [broadcast.id]))[broadcast.id]
        again = await cancel_broadcast(session, broadcast_id=broadcast.id)
    assert statuses == {"cancelled"}
    assert (counts.recipients, counts.queued, counts.sent, counts.cancelled) == (3, 0, 0, 3)
    assert again is None, "a cancelled broadcast cannot be cancelled twice"
    assert len(people) == 3


async def test_the_reach_api_counts_within_ones_programmes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    await add_person(runtime, program="iess", profile=KASSERINE)
    await add_person(runtime, program="iess", opted_out=True)
    counted = await supervisor.post("/broadcasts/reach", {"program": "iess"})
    assert counted.status_code == 200, counted.text
    assert counted.json() == {"matching": 2, "reachable": 1, "skipped": 1}
    hidden = await supervisor.post("/broadcasts/reach", {"program": "utss-cad"})
    assert hidden.status_code == 404
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    assert (await agent.post("/broadcasts/reach", {"program": "iess"})).status_code == 403


async def test_for_many_segments_the_count_matches_what_the_expansion_records(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    rng = random.Random(20261201)
    places = [("tn", "kasserine"), ("tn", "jendouba"), ("td", None), ("mz", None)]
    for _ in range(30):
        country, governorate = rng.choice(places)
        profile = {"country": country} | ({"governorate": governorate} if governorate else {})
        await add_person(
            rt,
            program=rng.choice(["iess", "utss-cad", None]),
            status=rng.choice(["accepted", "submitted", "rejected"]),
            language=rng.choice(["fr", "ar", "pt"]),
            profile=profile,
            opted_out=rng.random() < 0.2,
        )
    segments: list[dict[str, Any]] = []
    for _ in range(12):
        segment: dict[str, Any] = {}
        if rng.random() < 0.7:
            segment["program"] = rng.choice(["iess", "utss-cad"])
        if rng.random() < 0.5:
            segment["application_status"] = rng.sample(["accepted", "submitted", "rejected"], 2)
        if rng.random() < 0.5:
            segment["governorate"] = rng.choice([["kasserine"], ["kasserine", "jendouba"]])
        if rng.random() < 0.4:
            segment["country"] = rng.choice([["tn"], ["td", "mz"]])
        if rng.random() < 0.4:
            segment["language"] = rng.sample(["fr", "ar", "pt"], 2)
        segments.append(segment)
    expected = [await reach(rt, segment) for segment in segments]
    ids = []
    async with rt.sessions() as session, session.begin():
        for segment in segments:
            made = await create_broadcast(
                session,
                segment=segment,
                texts={"fr": "Info."},
                send_at=tunis(2026, 11, 24, 10, 0),
                staff_id=None,
                now=rt.clock(),
            )
            ids.append(made.id)
    await tick_at(rt, clock, tunis(2026, 11, 24, 10, 0))
    async with rt.sessions() as session:
        done = await progress(session, ids)
    found = [(done[i].recipients, done[i].recipients - done[i].skipped) for i in ids]
    assert found == expected
    assert any(matching for matching, _ in expected), "some segments reach someone"
