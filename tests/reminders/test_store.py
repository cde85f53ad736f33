"""What the engine asks of the database for loans, trainings and reminder answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

from backend.conversations.store import DatabaseStore
from backend.loans.service import record_repayment
from backend.people.models import Beneficiary
from backend.reminders.models import Reminder
from backend.runtime import Runtime
from tests.reminders.conftest import TUNIS, add_person, open_loan, reminders_of, tunis
from tests.reminders.test_training_reminders import new_training
from tests.support import FakeClock


@asynccontextmanager
async def store_for(runtime: Runtime, person: int) -> AsyncIterator[DatabaseStore]:
    """The Store a turn of ``person`` gets, committed at the end like a turn."""
    async with runtime.sessions() as session, session.begin():
        beneficiary = await session.get(Beneficiary, person)
        assert beneficiary is not None
        yield DatabaseStore(
            session=session, beneficiary=beneficiary, now=runtime.clock(), zone=TUNIS
        )


async def test_next_payment_is_what_is_left_on_the_oldest_unpaid_installment(
    rt: Runtime, clock: FakeClock
) -> None:
    person = await add_person(rt, program="iess")
    async with store_for(rt, person) as store:
        assert await store.next_payment() is None, "no loan, no payment"
    loan = await open_loan(rt, person, principal_minor=900_000, installments=3)
    async with store_for(rt, person) as store:
        payment = await store.next_payment()
    assert payment is not None
    assert (payment.amount_minor, payment.currency, payment.due_on, payment.days_late) == (
        300_000,
        "TND",
        date(2026, 12, 1),
        0,
    )
    async with rt.sessions() as session, session.begin():
        await record_repayment(
            session,
            loan_id=loan,
            amount_minor=350_000,
            paid_on=date(2026, 11, 30),
            staff_id=None,
            now=clock(),
        )
    clock.now = tunis(2027, 1, 5, 12, 0)
    async with store_for(rt, person) as store:
        payment = await store.next_payment()
    assert payment is not None
    assert (payment.amount_minor, payment.due_on, payment.days_late) == (
        250_000,
        date(2027, 1, 1),
        4,
    )


async def test_a_person_sees_and_registers_for_the_sessions_of_their_program(
    rt: Runtime,
) -> None:
    person = await add_person(rt, program="iess", status="submitted")
    mine = await new_training(rt, tunis(2026, 12, 10, 10, 0), capacity=1)
    await new_training(rt, tunis(2026, 12, 11, 10, 0), program="utss-cad")
    await new_training(rt, tunis(2026, 11, 20, 10, 0))  # already over
    async with store_for(rt, person) as store:
        upcoming = await store.upcoming_trainings()
    assert [(t.id, t.enrolled, t.seats_left) for t in upcoming] == [(mine, False, 1)]
    async with store_for(rt, person) as store:
        registered = await store.register_training(training_id=mine)
    assert registered is not None and registered.enrolled and registered.seats_left == 0
    async with store_for(rt, person) as store:
        again = await store.register_training(training_id=mine)
    assert again is not None and again.enrolled, "registering twice changes nothing"
    assert len(await reminders_of(rt)) == 2, "and plans the reminders once"
    other = await add_person(rt, program="iess")
    async with store_for(rt, other) as store:
        assert await store.register_training(training_id=mine) is None, "full"


async def test_a_person_cannot_register_for_another_program_or_a_past_session(
    rt: Runtime,
) -> None:
    person = await add_person(rt, program="iess")
    theirs = await new_training(rt, tunis(2026, 12, 11, 10, 0), program="utss-cad")
    past = await new_training(rt, tunis(2026, 11, 20, 10, 0))
    async with store_for(rt, person) as store:
        assert await store.register_training(training_id=theirs) is None
        assert await store.register_training(training_id=past) is None
        assert await store.register_training(training_id=999) is None


async def test_a_reminder_answer_is_recorded_only_for_its_owner_and_its_kind(
    rt: Runtime, clock: FakeClock
) -> None:
    person, stranger = await add_person(rt, program="iess"), await add_person(rt)
    await open_loan(rt, person, installments=1)
    reminder = (await reminders_of(rt))[0]
    async with store_for(rt, stranger) as store:
        assert not await store.answer_reminder(reminder_id=reminder.id, answer="paid")
    async with store_for(rt, person) as store:
        assert not await store.answer_reminder(reminder_id=reminder.id, answer="coming")
        assert not await store.answer_reminder(reminder_id=424242, answer="paid")
    clock.advance(timedelta(hours=1))
    async with store_for(rt, person) as store:
        assert await store.answer_reminder(reminder_id=reminder.id, answer="paid")
    (answered,) = await reminders_of(rt, Reminder.answer.is_not(None))
    assert (answered.answer, answered.answered_at) == ("paid", clock())
