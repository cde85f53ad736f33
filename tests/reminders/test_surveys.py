"""Follow-up surveys: planned at acceptance, started by the tick through the engine, answered
in the chat, and summed up in each program's indicators."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from backend.applications.decisions import decide
from backend.applications.models import Application
from backend.conversations.models import OutboxMessage
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.surveys.models import Survey
from backend.surveys.service import indicators
from bot.base import InboundEnvelope
from conversations.messages import Incoming
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import TUNIS, add_person, tick_at, tunis
from tests.support import FakeClock


async def accept(runtime: Runtime, person: int) -> int:
    """Accept the person's application as staff would; returns its id."""
    async with runtime.sessions() as session, session.begin():
        beneficiary = await session.get(Beneficiary, person)
        assert beneficiary is not None
        beneficiary.consent_version = runtime.content.consent.version
        beneficiary.consent_at = runtime.clock()
        application = await session.scalar(
            select(Application).where(Application.beneficiary_id == person)
        )
        assert application is not None
        await decide(
            session,
            engine=runtime.engine,
            application=application,
            status="accepted",
            note=None,
            fields=[],
            staff_id=None,
            now=runtime.clock(),
            zone=TUNIS,
        )
        return application.id


async def surveys(runtime: Runtime) -> list[Survey]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(Survey).order_by(Survey.round)))


async def say(
    runtime: Runtime, person: int, text: str | None = None, choice: str | None = None
) -> None:
    async with runtime.sessions() as session:
        beneficiary = await session.get(Beneficiary, person)
        assert beneficiary is not None
    await runtime.inbound.receive(
        InboundEnvelope(
            channel="test",
            address=beneficiary.address,
            external_id=str(uuid.uuid4()),
            incoming=Incoming(text=text, choice_id=choice),
        )
    )


async def test_acceptance_plans_surveys_three_and_six_months_later(rt: Runtime) -> None:
    person = await add_person(rt, program="iess", status="submitted")
    application = await accept(rt, person)
    await accept(rt, person)  # accepting again plans nothing more
    rows = await surveys(rt)
    assert [(s.round, s.months, s.due_at, s.status) for s in rows] == [
        (1, 3, tunis(2027, 2, 23, 9, 0), "pending"),
        (2, 6, tunis(2027, 5, 23, 9, 0), "pending"),
    ]
    assert {(s.application_id, s.program) for s in rows} == {(application, "iess")}


async def test_a_due_survey_is_asked_in_the_chat_and_its_answers_feed_the_indicators(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess", status="submitted")
    await accept(rt, person)
    report = await tick_at(rt, clock, tunis(2027, 2, 23, 8, 59))
    assert report.surveys_started == 0
    report = await tick_at(rt, clock, tunis(2027, 2, 23, 9, 0))
    assert report.surveys_started == 1
    await rt.dispatcher.run_once()
    survey = (await surveys(rt))[0]
    assert (survey.status, survey.sent_at) == ("sent", clock())
    kinds = {m.kind for _, m in adapter.sent[-2:]}
    assert kinds == {"reminder"}, "scheduled, so WhatsApp may send it as a template"
    assert "emplois" in adapter.sent[-1][1].text
    clock.advance(timedelta(minutes=2))
    await say(rt, person, "2")
    await say(rt, person, "600")
    await say(rt, person, "1")
    await rt.dispatcher.run_once()
    four = next(c.id for c in adapter.sent[-1][1].choices if c.label == "4")
    await say(rt, person, choice=four)
    survey = (await surveys(rt))[0]
    assert survey.status == "answered" and survey.answers is not None
    assert survey.answers["jobs_created"] == 2
    async with rt.sessions() as session:
        (figures,) = await indicators(session, programs=["iess"])
    assert (figures.surveys_sent, figures.responses, figures.jobs_created) == (1, 1, 2)
    assert figures.trainings_attended == 1 and figures.satisfaction_average == 4.0
    assert figures.monthly_revenue_median_minor == survey.answers["monthly_revenue"]


async def test_a_survey_waits_while_the_person_is_busy_and_skips_those_who_said_stop(
    rt: Runtime, clock: FakeClock
) -> None:
    busy = await add_person(rt, program="iess", status="submitted")
    stopped = await add_person(rt, program="iess", status="submitted")
    for person in (busy, stopped):
        await accept(rt, person)
    async with rt.sessions() as session, session.begin():
        found = await session.get(Beneficiary, stopped)
        talking = await session.get(Beneficiary, busy)
        assert found is not None and talking is not None
        found.reminders_opt_out = True
        talking.last_inbound_at = tunis(2027, 2, 23, 8, 55)
    await tick_at(rt, clock, tunis(2027, 2, 23, 9, 0))
    by_person = {s.beneficiary_id: s for s in await surveys(rt) if s.round == 1}
    assert by_person[stopped].status == "cancelled"
    assert by_person[busy].status == "pending"
    assert by_person[busy].due_at == tunis(2027, 2, 23, 10, 0)


async def test_after_long_downtime_a_survey_is_skipped_not_sent_late(
    rt: Runtime, clock: FakeClock
) -> None:
    person = await add_person(rt, program="iess", status="submitted")
    await accept(rt, person)
    await tick_at(rt, clock, tunis(2027, 3, 20, 9, 0))
    first = (await surveys(rt))[0]
    assert (first.status, first.reason) == ("skipped", "past_grace")
    async with rt.sessions() as session:
        queued = list(await session.scalars(select(OutboxMessage.payload)))
    assert [p["kind"] for p in queued] == ["decision"], "only the decision, no late survey"
