"""Repayment reminders: planned from the schedule, sent once at their time, cancelled by a
repayment or a «stop», postponed by quiet hours, skipped after downtime past their grace."""

from __future__ import annotations

from datetime import date, timedelta

from backend.conversations.models import OutboxMessage
from backend.loans.models import Installment
from backend.loans.service import record_repayment, schedule_of
from backend.people.models import Beneficiary
from backend.reminders.models import Reminder
from backend.runtime import Runtime
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import (
    TUNIS,
    add_person,
    build,
    open_loan,
    outbox_count,
    reminders_of,
    tick_at,
    tunis,
)
from tests.support import FakeClock


async def test_a_loan_plans_reminders_three_days_before_on_the_day_and_three_days_late(
    rt: Runtime,
) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, installments=2, first_due_date=date(2026, 12, 1))
    rows = await reminders_of(rt)
    assert [(r.kind, r.due_at) for r in rows] == [
        ("repayment_before", tunis(2026, 11, 28)),
        ("repayment_due", tunis(2026, 12, 1)),
        ("repayment_late", tunis(2026, 12, 4)),
        ("repayment_before", tunis(2026, 12, 29)),
        ("repayment_due", tunis(2027, 1, 1)),
        ("repayment_late", tunis(2027, 1, 4)),
    ]
    assert {(r.status, r.version, r.program) for r in rows} == {("pending", 1, "iess")}


async def test_offsets_and_send_time_are_configurable_per_program(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    runtime = build(
        settings,
        clock,
        adapter,
        repayment_reminder_days_by_program={"iess": "-5,0"},
        reminder_time="10:30",
    )
    iess, other = await add_person(runtime), await add_person(runtime)
    await open_loan(runtime, iess, installments=1, program="iess")
    await open_loan(runtime, other, installments=1, program="utss-cad")
    iess_rows = await reminders_of(runtime, Reminder.beneficiary_id == iess)
    assert [r.due_at for r in iess_rows] == [
        tunis(2026, 11, 26, 10, 30),
        tunis(2026, 12, 1, 10, 30),
    ]
    assert len(await reminders_of(runtime, Reminder.beneficiary_id == other)) == 3
    await runtime.close()


async def test_a_reminder_is_sent_once_at_its_time_with_the_amount_and_a_paid_button(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, principal_minor=1_000_000, installments=3)
    await tick_at(rt, clock, tunis(2026, 11, 28, 8, 59))
    assert await outbox_count(rt) == 0, "not before its time"
    report = await tick_at(rt, clock, tunis(2026, 11, 28, 9, 0))
    assert report.reminders.sent == 1
    await tick_at(rt, clock, tunis(2026, 11, 28, 9, 5))
    await rt.dispatcher.run_once()
    assert len(adapter.sent) == 1, "a second tick sends nothing more"
    (first,) = await reminders_of(rt, Reminder.status == "sent")
    message = adapter.sent[0][1]
    assert "333,334" in message.text and "1 déc. 2026" in message.text
    assert message.kind == "reminder"
    assert [c.id for c in message.choices] == [f"rem.{first.id}.paid"]
    assert first.outbox_id is not None and first.sent_at == tunis(2026, 11, 28, 9, 0)


async def test_a_repayment_cancels_the_reminders_of_the_installments_it_completes(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess")
    loan = await open_loan(rt, person, principal_minor=900_000, installments=3)
    async with rt.sessions() as session, session.begin():  # 450.000: one and a half
        await record_repayment(
            session,
            loan_id=loan,
            amount_minor=450_000,
            paid_on=date(2026, 11, 25),
            staff_id=None,
            now=clock(),
        )
    async with rt.sessions() as session:
        first, second, third = await schedule_of(session, loan)
    assert (first.paid_minor, second.paid_minor, third.paid_minor) == (300_000, 150_000, 0)
    cancelled = await reminders_of(rt, Reminder.status == "cancelled")
    assert {r.installment_id for r in cancelled} == {first.id}
    assert {r.reason for r in cancelled} == {"paid"} and len(cancelled) == 3
    # The half-paid installment is still reminded, for what is left on it.
    await tick_at(rt, clock, tunis(2026, 12, 29))
    await rt.dispatcher.run_once()
    assert len(adapter.sent) == 1 and "150,000" in adapter.sent[0][1].text


async def test_stop_cancels_future_reminders_when_they_fall_due(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, installments=1)
    async with rt.sessions() as session, session.begin():
        found = await session.get(Beneficiary, person)
        assert found is not None
        found.reminders_opt_out = True  # what the engine writes on «stop»
    report = await tick_at(rt, clock, tunis(2026, 12, 10))
    assert report.reminders.cancelled == 3 and report.reminders.sent == 0
    assert {r.reason for r in await reminders_of(rt)} == {"opted_out"}
    assert await outbox_count(rt) == 0


async def test_someone_who_blocked_the_bot_gets_no_reminder(rt: Runtime, clock: FakeClock) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, installments=1)
    async with rt.sessions() as session, session.begin():
        found = await session.get(Beneficiary, person)
        assert found is not None
        found.unreachable = True
    await tick_at(rt, clock, tunis(2026, 11, 28))
    assert [r.reason for r in await reminders_of(rt, Reminder.status == "cancelled")] == [
        "unreachable"
    ]
    assert await outbox_count(rt) == 0


async def test_after_downtime_an_overdue_reminder_goes_once_or_is_skipped_past_its_grace(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, installments=1)
    # Down from before Nov 28 09:00 until Dec 2 10:00: the 28th is past its 48 hours.
    report = await tick_at(rt, clock, tunis(2026, 12, 2, 10, 0))
    await tick_at(rt, clock, tunis(2026, 12, 2, 10, 1))
    await rt.dispatcher.run_once()
    before, due, late = await reminders_of(rt)
    assert (before.status, before.reason) == ("skipped", "past_grace")
    assert due.status == "sent" and late.status == "pending"
    assert report.reminders.sent == 1 and len(adapter.sent) == 1
    assert "due today" not in adapter.sent[0][1].text, "it says the payment is now late"


async def test_after_downtime_only_the_latest_reminder_of_an_installment_goes(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    runtime = build(settings, clock, adapter, reminder_grace_hours_repayment=200.0)
    person = await add_person(runtime, program="iess")
    await open_loan(runtime, person, installments=1)
    await tick_at(runtime, clock, tunis(2026, 12, 4, 12, 0))
    await runtime.dispatcher.run_once()
    before, due, late = await reminders_of(runtime)
    assert [before.reason, due.reason] == ["superseded", "superseded"]
    assert late.status == "sent" and len(adapter.sent) == 1, "no burst of three"
    await runtime.close()


async def test_quiet_hours_at_send_time_postpone_to_eight_and_never_drop(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    runtime = build(settings, clock, adapter, reminder_time="20:30")
    person = await add_person(runtime, program="iess")
    await open_loan(runtime, person, installments=1)
    report = await tick_at(runtime, clock, tunis(2026, 11, 28, 22, 15))  # the tick was late
    assert report.reminders.postponed == 1 and await outbox_count(runtime) == 0
    (first, *_) = await reminders_of(runtime)
    assert first.status == "pending" and first.due_at == tunis(2026, 11, 29, 8, 0)
    await tick_at(runtime, clock, tunis(2026, 11, 29, 7, 59))
    assert await outbox_count(runtime) == 0
    await tick_at(runtime, clock, tunis(2026, 11, 29, 8, 0))
    (sent,) = await reminders_of(runtime, Reminder.status == "sent")
    assert sent.sent_at is not None and sent.sent_at.astimezone(TUNIS).hour == 8
    await runtime.close()


async def test_a_reminder_planned_in_quiet_hours_is_due_when_they_end(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    runtime = build(settings, clock, adapter, reminder_time="06:00")
    person = await add_person(runtime, program="iess")
    await open_loan(runtime, person, installments=1)
    first = (await reminders_of(runtime))[0]
    assert first.scheduled_at == tunis(2026, 11, 28, 6, 0)
    assert first.due_at == tunis(2026, 11, 28, 8, 0)
    await runtime.close()


async def test_an_erased_person_leaves_no_reminder_and_the_loan_stays_for_the_fund(
    rt: Runtime,
) -> None:
    from backend.people.erasure import erase_beneficiary

    person = await add_person(rt, program="iess")
    loan = await open_loan(rt, person, installments=2)
    async with rt.sessions() as session, session.begin():
        await erase_beneficiary(session, beneficiary_id=person)
    assert await reminders_of(rt) == []
    async with rt.sessions() as session:
        assert len(await schedule_of(session, loan)) == 2
        assert await session.get(Installment, 1) is not None
        assert await session.get(OutboxMessage, 1) is None


async def test_a_weekly_loan_is_reminded_every_week(rt: Runtime) -> None:
    from backend.loans.schedule import Frequency

    person = await add_person(rt, program="iess")
    await open_loan(
        rt, person, installments=3, frequency=Frequency.WEEKLY, first_due_date=date(2026, 12, 7)
    )
    due = [r.due_at for r in await reminders_of(rt, Reminder.kind == "repayment_due")]
    assert due == [tunis(2026, 12, 7) + timedelta(weeks=w) for w in range(3)]
