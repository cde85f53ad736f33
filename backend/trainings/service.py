"""Training sessions and enrolments: staff enrol people, or people register from the bot.

Seats are counted with the session's row locked, so two people never take the last seat
together. Enrolling plans the day-before and two-hours reminders; moving a session moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.db.claim import lock_for_write
from backend.db.pending import reading
from backend.reminders.planning import (
    cancel_reminders,
    move_training_reminders,
    plan_enrollment_reminders,
)
from backend.reminders.policy import ReminderPolicy
from backend.trainings.models import Enrollment, Training
from conversations.ports import TrainingView

#: Application statuses that make a program "the person's" for registering from the bot.
ACTIVE_APPLICATION = ("submitted", "needs_info", "waitlisted", "accepted")
EDITABLE = ("title", "location", "starts_at", "capacity", "status")


class TrainingError(ValueError):
    """An enrolment that cannot be made: ``reason`` is ``full``, ``past`` or ``cancelled``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot enrol: the session is {reason}")
        self.reason = reason


@dataclass(frozen=True)
class TrainingChanges:
    """Fields to change on a session; ``None`` leaves one as it is."""

    title: str | None = None
    location: str | None = None
    starts_at: datetime | None = None
    capacity: int | None = None
    status: str | None = None


async def create_training(
    session: AsyncSession,
    *,
    program: str,
    title: str,
    location: str | None,
    starts_at: datetime,
    capacity: int | None,
    now: datetime,
) -> Training:
    """A new scheduled session; nobody is enrolled yet, so nothing is planned."""
    training = Training(
        program=program,
        title=title,
        location=location,
        starts_at=starts_at,
        capacity=capacity,
        status="scheduled",
        schedule_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(training)
    await session.flush()
    return training


async def enrolled_count(session: AsyncSession, training_id: int) -> int:
    """People enrolled (not cancelled) in a session."""
    count = await session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.training_id == training_id, Enrollment.status == "enrolled")
    )
    return int(count or 0)


async def update_training(
    session: AsyncSession,
    *,
    training_id: int,
    changes: TrainingChanges,
    policy: ReminderPolicy,
    now: datetime,
) -> Training | None:
    """Change a session. A new start moves its reminders; cancelling cancels them, and
    scheduling it again plans them anew."""
    training = await lock_for_write(session, Training, training_id)
    if training is None:
        return None
    moved = changes.starts_at is not None and changes.starts_at != training.starts_at
    reopened = changes.status == "scheduled" and training.status != "scheduled"
    for name in EDITABLE:
        value = getattr(changes, name)
        if value is not None:
            setattr(training, name, value)
    training.updated_at = now
    if changes.status == "cancelled":
        enrollments = select(Enrollment.id).where(Enrollment.training_id == training.id)
        await cancel_reminders(
            session,
            reason="training_cancelled",
            now=now,
            enrollment_ids=list(await session.scalars(enrollments)),
        )
    elif moved or reopened:
        training.schedule_version += 1
        await session.flush()
        await move_training_reminders(session, training=training, policy=policy, now=now)
    await session.flush()
    return training


async def enroll(
    session: AsyncSession,
    *,
    training_id: int,
    beneficiary_id: int,
    source: str,
    policy: ReminderPolicy,
    now: datetime,
) -> tuple[Training, Enrollment] | None:
    """Enrol a person (again, after a cancellation); ``None`` when there is no such session.

    Enrolling someone already enrolled changes nothing and returns their enrolment.
    """
    training = await lock_for_write(session, Training, training_id)
    if training is None:
        return None
    existing = await session.scalar(
        select(Enrollment).where(
            Enrollment.training_id == training.id, Enrollment.beneficiary_id == beneficiary_id
        )
    )
    if existing is not None and existing.status == "enrolled":
        return training, existing
    if training.status != "scheduled":
        raise TrainingError("cancelled")
    if training.starts_at <= now:
        raise TrainingError("past")
    if training.capacity is not None and await enrolled_count(session, training.id) >= (
        training.capacity
    ):
        raise TrainingError("full")
    if existing is None:
        existing = Enrollment(
            training_id=training.id,
            beneficiary_id=beneficiary_id,
            status="enrolled",
            source=source,
            created_at=now,
        )
        session.add(existing)
    else:
        existing.status, existing.source, existing.attendance = "enrolled", source, None
    await session.flush()
    await plan_enrollment_reminders(
        session, enrollment=existing, training=training, policy=policy, now=now
    )
    return training, existing


async def unenroll(session: AsyncSession, *, enrollment: Enrollment, now: datetime) -> None:
    """Cancel an enrolment and its pending reminders; the seat is free again."""
    enrollment.status = "cancelled"
    await cancel_reminders(session, reason="unenrolled", now=now, enrollment_ids=[enrollment.id])


async def upcoming_for(
    session: AsyncSession, *, beneficiary_id: int, now: datetime
) -> list[TrainingView]:
    """Upcoming sessions of the person's programs and those they are enrolled in."""
    programs = select(Application.program).where(
        Application.beneficiary_id == beneficiary_id,
        Application.status.in_(ACTIVE_APPLICATION),
    )
    mine = select(Enrollment.training_id).where(
        Enrollment.beneficiary_id == beneficiary_id, Enrollment.status == "enrolled"
    )
    reads = reading(session, Training, Application, Enrollment)
    trainings = list(
        await session.scalars(
            select(Training)
            .where(
                Training.status == "scheduled",
                Training.starts_at > now,
                Training.program.in_(programs) | Training.id.in_(mine),
            )
            .order_by(Training.starts_at, Training.id),
            execution_options=reads,
        )
    )
    enrolled = set(await session.scalars(mine, execution_options=reads))
    return [await view_of(session, t, enrolled=t.id in enrolled) for t in trainings]


async def view_of(session: AsyncSession, training: Training, *, enrolled: bool) -> TrainingView:
    """A session as the engine shows it."""
    seats = None
    if training.capacity is not None:
        seats = max(0, training.capacity - await enrolled_count(session, training.id))
    return TrainingView(
        id=training.id,
        title=training.title,
        starts_at=training.starts_at,
        location=training.location,
        enrolled=enrolled,
        seats_left=seats,
    )


async def may_register(session: AsyncSession, *, beneficiary_id: int, training: Training) -> bool:
    """Whether the session belongs to one of the person's programs."""
    found = await session.scalar(
        select(Application.id)
        .where(
            Application.beneficiary_id == beneficiary_id,
            Application.program == training.program,
            Application.status.in_(ACTIVE_APPLICATION),
        )
        .limit(1)
    )
    return found is not None
