"""Trainings, broadcasts, reminders and follow-up indicators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from backend.api.schemas.common import CleanText, Id, Identifier, Input, Output, ProgramCode

Language = Literal["ar", "fr", "en", "pt"]
ApplicationStatus = Literal["submitted", "accepted", "rejected", "waitlisted", "needs_info"]
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


class Segment(Input):
    """Who receives a broadcast: everyone matching all the criteria given (none: everyone).

    A list means any of its values.
    """

    program: ProgramCode | None = Field(
        default=None, description="People who applied to this program."
    )
    application_status: ApplicationStatus | list[ApplicationStatus] | None = None
    governorate: Identifier | list[Identifier] | None = Field(
        default=None, description="A governorate option id from the profile, e.g. `kasserine`."
    )
    country: Identifier | list[Identifier] | None = None
    language: Language | list[Language] | None = None
    training: Id | list[Id] | None = Field(
        default=None, description="People enrolled in this training session (id)."
    )


class ReachRead(Output):
    """How many people a segment reaches now."""

    matching: int = Field(description="People matching the segment.")
    reachable: int = Field(description="Of them, those who would be sent the message.")
    skipped: int = Field(description="Of them, those who typed stop or cannot be reached.")


class BroadcastCreate(Input):
    """A message to a segment; people get the text in their language, else French."""

    segment: Segment = Field(default_factory=Segment)
    text: dict[Language, Annotated[CleanText, Field(max_length=4000)]]
    send_at: AwareDatetime | None = Field(default=None, description="Default: now.")

    @model_validator(mode="after")
    def _some_text(self) -> BroadcastCreate:
        if not any(t.strip() for t in self.text.values()):
            raise ValueError("text: give the message in at least one language")
        return self


class BroadcastRead(Output):
    """A broadcast and its progress: recipients skipped (stop, unreachable), queued, sent,
    failed."""

    id: int
    program: str | None
    segment: dict[str, object]
    text: dict[str, str]
    send_at: datetime
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int
    skipped: int
    queued: int
    sent: int
    failed: int
    cancelled: int = Field(description="Queued, then not sent: the broadcast was cancelled.")


class ReminderRead(Output):
    """A reminder: when it goes, what became of it, and the person's answer."""

    id: int
    kind: str
    program: str
    beneficiary_id: int
    loan_id: int | None
    installment_id: int | None
    training_id: int | None
    enrollment_id: int | None
    scheduled_at: datetime
    due_at: datetime
    status: str
    reason: str | None
    version: int
    sent_at: datetime | None
    delivery: str | None = Field(description="The outbox message's status once queued.")
    answer: str | None
    answered_at: datetime | None


class IndicatorRead(Output):
    """A program's follow-up figures from the surveys (revenue in TND minor units)."""

    program: str
    surveys_sent: int
    responses: int
    jobs_created: int
    monthly_revenue_median_minor: int | None
    trainings_attended: int
    satisfaction_average: float | None
