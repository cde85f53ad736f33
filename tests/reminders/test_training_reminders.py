"""Training reminders: the day before and two hours before, moved with the session,
cancelled with it, and answered by the person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from backend.reminders.models import Reminder
from backend.reminders.policy import policy_of
from backend.runtime import Runtime
from backend.trainings.models import Enrollment, Training
from backend.trainings.service import TrainingChanges, enroll, upcoming_for, update_training
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, outbox_count, reminders_of, tick_at, tunis
from tests.support import FakeClock


async def new_training(
    runtime: Runtime, starts_at: datetime, *, program: str = "iess", capacity: int | None = 20
) -> int:
    async with runtime.sessions() as session, session.begin():
        training = Training(
            program=program,
            title="GERME – Gérer mieux votre entreprise",
            location="Maison des jeunes, Kasserine",
            starts_at=starts_at,
            capacity=capacity,
            status="scheduled",
            schedule_version=1,
            created_at=runtime.clock(),
            updated_at=runtime.clock(),
        )
        session.add(training)
        await session.flush()
        return training.id


async def enroll_person(runtime: Runtime, training_id: int, person: int) -> int:
    async with runtime.sessions() as session, session.begin():
        found = await enroll(
            session,
            training_id=training_id,
            beneficiary_id=person,
            source="staff",
            policy=policy_of(session),
            now=runtime.clock(),
        )
        assert found is not None
        return found[1].id


async def move(runtime: Runtime, training_id: int, changes: TrainingChanges) -> None:
    async with runtime.sessions() as session, session.begin():
        await update_training(
            session,
            training_id=training_id,
            changes=changes,
            policy=policy_of(session),
            now=runtime.clock(),
        )


async def test_enrolling_plans_the_day_before_and_two_hours_before(rt: Runtime) -> None:
    person = await add_person(rt)
    training = await new_training(rt, tunis(2026, 12, 10, 10, 0))
    await enroll_person(rt, training, person)
    rows = await reminders_of(rt)
    assert [(r.kind, r.due_at) for r in rows] == [
        ("training_day_before", tunis(2026, 12, 9, 10, 0)),
        ("training_two_hours", tunis(2026, 12, 10, 8, 0)),
    ]


async def test_quiet_hours_move_a_two_hours_reminder_later_but_never_past_the_start(
    rt: Runtime,
) -> None:
    person = await add_person(rt)
    at_half_past_eight = await new_training(rt, tunis(2026, 12, 10, 8, 30))  # 06:30 is quiet
    at_eight = await new_training(rt, tunis(2026, 12, 11, 8, 0))  # 08:00 would be too late
    await enroll_person(rt, at_half_past_eight, person)
    await enroll_person(rt, at_eight, person)
    due = [r.due_at for r in await reminders_of(rt, Reminder.kind == "training_two_hours")]
    assert sorted(due) == [tunis(2026, 12, 10, 8, 0), tunis(2026, 12, 10, 20, 59)]


async def test_rescheduling_moves_pending_reminders_and_plans_again_those_already_sent(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt)
    training = await new_training(rt, tunis(2026, 12, 10, 10, 0))
    await enroll_person(rt, training, person)
    await tick_at(rt, clock, tunis(2026, 12, 9, 10, 0))  # the day-before goes
    await move(rt, training, TrainingChanges(starts_at=tunis(2026, 12, 17, 14, 0)))
    rows = await reminders_of(rt)
    sent = [r for r in rows if r.status == "sent"]
    pending = sorted((r for r in rows if r.status == "pending"), key=lambda r: r.due_at)
    assert len(sent) == 1
    assert [(r.kind, r.due_at, r.version) for r in pending] == [
        ("training_day_before", tunis(2026, 12, 16, 14, 0), 2),
        ("training_two_hours", tunis(2026, 12, 17, 12, 0), 2),
    ]
    await tick_at(rt, clock, tunis(2026, 12, 10, 8, 0))
    assert await outbox_count(rt) == 1, "the old two-hours time sends nothing"
    await tick_at(rt, clock, tunis(2026, 12, 16, 14, 0))
    await rt.dispatcher.run_once()
    assert len(adapter.sent) == 2
    assert "demain" in adapter.sent[1][1].text.lower() or "tomorrow" in adapter.sent[1][1].text


async def test_cancelling_a_session_cancels_its_reminders(rt: Runtime, clock: FakeClock) -> None:
    person = await add_person(rt)
    training = await new_training(rt, tunis(2026, 12, 10, 10, 0))
    await enroll_person(rt, training, person)
    await move(rt, training, TrainingChanges(status="cancelled"))
    assert {(r.status, r.reason) for r in await reminders_of(rt)} == {
        ("cancelled", "training_cancelled")
    }
    await tick_at(rt, clock, tunis(2026, 12, 10, 8, 0))
    assert await outbox_count(rt) == 0


async def test_the_reminder_has_coming_and_not_coming_buttons_and_the_answer_is_kept(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    from backend.conversations.store import DatabaseStore
    from backend.people.models import Beneficiary
    from tests.reminders.conftest import TUNIS

    person = await add_person(rt, language="en")
    training = await new_training(rt, tunis(2026, 12, 10, 10, 0))
    enrollment_id = await enroll_person(rt, training, person)
    await tick_at(rt, clock, tunis(2026, 12, 9, 10, 0))
    await rt.dispatcher.run_once()
    message = adapter.sent[0][1]
    day_before = (await reminders_of(rt, Reminder.status == "sent"))[0]
    assert [c.id for c in message.choices] == [
        f"rem.{day_before.id}.coming",
        f"rem.{day_before.id}.not_coming",
    ]
    assert "tomorrow" in message.text and "Kasserine" in message.text
    async with rt.sessions() as session, session.begin():
        beneficiary = await session.get(Beneficiary, person)
        assert beneficiary is not None
        store = DatabaseStore(session=session, beneficiary=beneficiary, now=clock(), zone=TUNIS)
        assert await store.answer_reminder(reminder_id=day_before.id, answer="not_coming")
    async with rt.sessions() as session:
        enrollment = await session.get(Enrollment, enrollment_id)
        answered = await session.get(Reminder, day_before.id)
        two_hours = await session.scalar(
            select(Reminder).where(Reminder.kind == "training_two_hours")
        )
    assert enrollment is not None and enrollment.attendance == "not_coming"
    assert answered is not None and answered.answer == "not_coming"
    assert two_hours is not None and (two_hours.status, two_hours.reason) == (
        "cancelled",
        "not_coming",
    )


async def test_a_person_sees_an_enrolment_not_yet_flushed_as_theirs(rt: Runtime) -> None:
    """The query of a person's sessions skips the flush only when nothing pending is one of
    the rows it reads: an enrolment added in the same transaction is flushed and seen."""
    person = await add_person(rt)
    training = await new_training(rt, tunis(2026, 12, 10, 10, 0), program="utss-cad")
    async with rt.sessions() as session, session.begin():
        assert await upcoming_for(session, beneficiary_id=person, now=rt.clock()) == []
        session.add(Enrollment(training_id=training, beneficiary_id=person, source="staff"))
        found = await upcoming_for(session, beneficiary_id=person, now=rt.clock())
    assert [(t.id, t.enrolled) for t in found] == [(training, True)]
