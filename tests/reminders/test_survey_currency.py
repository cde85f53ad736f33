"""The follow-up survey asks income in the programme's currency where the person lives, and
the indicators never mix currencies in one median."""

from __future__ import annotations

from datetime import timedelta

from backend.runtime import Runtime
from backend.surveys.service import indicators
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, tick_at, tunis
from tests.reminders.test_surveys import accept, say, surveys
from tests.support import FakeClock


async def _survey(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter, person: int, revenue: str
) -> str:
    """Answer the whole survey; returns how the revenue question was asked."""
    await say(rt, person, "2")
    await rt.dispatcher.run_once()
    asked = adapter.sent[-1][1].text
    await say(rt, person, revenue)
    await say(rt, person, "1")
    await rt.dispatcher.run_once()
    four = next(c.id for c in adapter.sent[-1][1].choices if c.label == "4")
    await say(rt, person, choice=four)
    await rt.dispatcher.run_once()
    return asked


async def _start(rt: Runtime, clock: FakeClock, people: list[int]) -> None:
    for person in people:
        await accept(rt, person)
    await tick_at(rt, clock, tunis(2027, 2, 23, 9, 0))
    await rt.dispatcher.run_once()
    clock.advance(timedelta(minutes=2))


async def test_essor_in_mozambique_answers_in_meticais(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(
        rt, program="essor-biosp", status="submitted", profile={"country": "mz"}
    )
    await _start(rt, clock, [person])
    asked = await _survey(rt, clock, adapter, person, "1500,50")
    assert "metical" in asked and "dinar" not in asked
    survey = next(s for s in await surveys(rt) if s.round == 1)
    assert survey.answers is not None
    assert (survey.answers["monthly_revenue"], survey.answers["currency"]) == (150050, "MZN")


async def test_medians_are_given_per_currency(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    chad = await add_person(
        rt, program="essor-biosp", status="submitted", profile={"country": "td"}
    )
    mozambique = await add_person(
        rt, program="essor-biosp", status="submitted", profile={"country": "mz"}
    )
    await _start(rt, clock, [chad, mozambique])
    assert "BEAC" in await _survey(rt, clock, adapter, chad, "25000")
    assert "metical" in await _survey(rt, clock, adapter, mozambique, "1500")
    async with rt.sessions() as session:
        (figures,) = await indicators(session, programs=["essor-biosp"])
    assert figures.monthly_revenue_median_by_currency == {"MZN": 150000, "XAF": 25000}
    assert figures.monthly_revenue_median_minor is None
    assert figures.monthly_revenue_currency is None
