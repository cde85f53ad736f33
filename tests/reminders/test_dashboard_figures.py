"""The dashboard's figures: the funnel from contact to acceptance (monotone, erased people
still counted), indicators by gender, age band and place, and a fund month by month."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from backend.loans.fund_history import fund_history, months_back
from backend.loans.service import record_repayment, set_capital
from backend.people.erasure import erase_beneficiary
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.service import Principal
from backend.stats import dashboard
from backend.stats.funnel import record_step
from backend.surveys.models import Survey
from tests.reminders.conftest import add_person, open_loan

ADMIN = Principal(1, "a@massar.test", "A", "admin", frozenset(), 0)
TUNIS = ZoneInfo("Africa/Tunis")


async def step(runtime: Runtime, person: int, *stages: str) -> None:
    async with runtime.sessions() as session, session.begin():
        for stage in stages:
            await record_step(
                session, beneficiary_id=person, program="iess", stage=stage, now=runtime.clock()
            )


async def consent(runtime: Runtime, person: int) -> None:
    async with runtime.sessions() as session, session.begin():
        found = await session.get(Beneficiary, person)
        assert found is not None
        found.consent_version, found.consent_at = "v1", runtime.clock()


async def test_the_funnel_runs_from_contact_to_acceptance_and_survives_erasure(
    rt: Runtime,
) -> None:
    browsing, consenting, applying, accepted = [
        await add_person(rt, consented=False) for _ in range(4)
    ]
    await step(rt, browsing, "started")
    await step(rt, consenting, "started")
    await consent(rt, consenting)
    for person in (applying, accepted):
        await consent(rt, person)
        await step(rt, person, "started", "profile_done", "eligible", "submitted")
    await step(rt, accepted, "accepted")
    async with rt.sessions() as session:
        (iess,), _ = await dashboard.funnels(session, principal=ADMIN, programs=["iess"])
    assert iess.stages == {
        "contacted": 4,
        "consented": 3,
        "profiled": 2,
        "eligible": 2,
        "applied": 2,
        "accepted": 1,
    }
    async with rt.sessions() as session, session.begin():
        await erase_beneficiary(session, beneficiary_id=accepted)
    async with rt.sessions() as session:
        (after,), _ = await dashboard.funnels(session, principal=ADMIN, programs=["iess"])
    assert after.stages == iess.stages, "an erased person still counts, anonymously"
    agent = Principal(2, "b@massar.test", "B", "agent", frozenset({"utss-cad"}), 0)
    async with rt.sessions() as session:
        hidden, _ = await dashboard.funnels(session, principal=agent, programs=["iess"])
    assert hidden == [], "another programme's funnel is not shown"


async def test_indicators_break_down_by_gender_age_band_and_place(rt: Runtime) -> None:
    people = [
        await add_person(rt, profile={"gender": "woman", "age": 22, "governorate": "kasserine"}),
        await add_person(rt, profile={"gender": "woman", "age": 41, "country": "td"}),
        await add_person(rt, profile={"gender": "man", "age": 63, "governorate": "kasserine"}),
    ]
    async with rt.sessions() as session, session.begin():
        for number, person in enumerate(people):
            session.add(
                Survey(
                    program="iess",
                    beneficiary_id=person,
                    round=1,
                    months=3,
                    due_at=rt.clock(),
                    status="answered",
                    answers={"jobs_created": number + 1, "satisfaction": "s4"},
                )
            )
    async with rt.sessions() as session:
        gender = await dashboard.indicators_by(session, programs=["iess"], dimension="gender")
        ages = await dashboard.indicators_by(session, programs=["iess"], dimension="age_band")
        place = await dashboard.indicators_by(session, programs=["iess"], dimension="place")
    assert [(g.program, g.responses, g.jobs_created) for g in gender] == [
        ("woman", 2, 3),
        ("man", 1, 3),
    ]
    assert sorted(a.program for a in ages) == ["18-24", "35-49", "50+"]
    assert {p.program: p.responses for p in place} == {"kasserine": 2, "td": 1}
    assert dashboard.age_band(None) == dashboard.age_band("abc") == "unknown"


async def test_a_fund_month_by_month(rt: Runtime) -> None:
    person = await add_person(rt, program="iess", status="accepted")
    async with rt.sessions() as session, session.begin():
        await set_capital(
            session, program="iess", currency="TND", capital_minor=5_000_000, now=rt.clock()
        )
    loan = await open_loan(rt, person, principal_minor=900_000)  # made on 23 November 2026
    async with rt.sessions() as session, session.begin():
        await record_repayment(
            session,
            loan_id=loan,
            amount_minor=300_000,
            paid_on=date(2026, 12, 2),
            staff_id=None,
            now=datetime(2026, 12, 2, 9, tzinfo=UTC),
        )
    async with rt.sessions() as session:
        points = await fund_history(
            session, program="iess", currency="TND", today=date(2026, 12, 5), zone=TUNIS, months=3
        )
    assert [
        (p.period, p.paid_out_minor, p.paid_back_minor, p.available_minor) for p in points
    ] == [
        ("2026-10", 0, 0, 5_000_000),
        ("2026-11", 900_000, 0, 4_100_000),
        ("2026-12", 900_000, 300_000, 4_400_000),
    ]
    assert months_back(date(2027, 1, 15), 2) == [(2026, 11), (2027, 0)]
