"""Trainings and enrolments, as staff create and read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from backend.api.schemas import CleanText, Id, Input, Output, ProgramCode

Title = Annotated[CleanText, Field(min_length=1, max_length=200)]


class TrainingCreate(Input):
    """A training session (CEFE, GERME, «entreprendre collectivement en ESS»...)."""

    program: ProgramCode
    title: Title
    location: Title
    starts_at: AwareDatetime = Field(description="With its offset: `2026-12-10T09:00:00+01:00`.")
    capacity: int | None = Field(default=None, ge=1, le=100_000)


class TrainingUpdate(Input):
    """Changes to a session; a new ``starts_at`` moves its reminders."""

    title: Title | None = None
    location: Title | None = None
    starts_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    status: Literal["scheduled", "cancelled"] | None = None


class EnrollmentCreate(Input):
    """Someone to enrol."""

    beneficiary_id: Id


class EnrollmentRead(Output):
    """An enrolment and the person's attendance answer (``coming``, ``not_coming``)."""

    id: int
    training_id: int
    beneficiary_id: int
    status: str
    source: str
    attendance: str | None
    answered_at: datetime | None
    created_at: datetime


class TrainingRead(Output):
    """A session, with its seats."""

    id: int
    program: str
    title: str
    location: str
    starts_at: datetime
    capacity: int | None
    status: str
    schedule_version: int
    enrolled: int
    seats_left: int | None


class TrainingDetail(TrainingRead):
    """A session and who is enrolled."""

    enrollments: list[EnrollmentRead]


class AttendanceMark(Input):
    """Whether one enrolled person came to the session."""

    beneficiary_id: Id
    status: Literal["present", "absent", "excused"]


class AttendanceUpdate(Input):
    """Marks for a session; marking someone again replaces their mark."""

    marks: list[AttendanceMark] = Field(min_length=1, max_length=1000)


class AttendanceRead(Output):
    """A person's attendance at a session, as staff marked it."""

    beneficiary_id: int
    status: str
    marked_at: datetime
