"""What the engine needs from the outside world, as small Protocols it owns.

The backend implements them with the database; tests implement them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ApplicationView:
    """One of a person's applications, as "my applications" shows it."""

    reference: str
    program: str
    status: str
    submitted_at: datetime


@dataclass(frozen=True)
class PaymentView:
    """The person's next installment: what is still owed on it and when it is due."""

    amount_minor: int
    currency: str
    due_on: date
    days_late: int


@dataclass(frozen=True)
class TrainingView:
    """A training session the person can attend, or is enrolled in."""

    id: int
    title: str
    starts_at: datetime
    location: str
    enrolled: bool
    seats_left: int | None


class Store(Protocol):
    """Effects of a turn that outlive the conversation state, for the person being served."""

    async def submit_application(
        self,
        *,
        program: str,
        reference_prefix: str,
        answers: dict[str, Any],
        language: str,
        attachments: list[dict[str, Any]],
    ) -> str:
        """Save a submitted application with the files sent during it; return its reference."""
        ...

    async def list_applications(self) -> list[ApplicationView]:
        """The person's applications, newest first."""
        ...

    async def request_handoff(self, *, reason: str) -> None:
        """Record that the person asked for a member of staff."""
        ...

    async def attach_to_case(self, *, attachments: list[dict[str, Any]]) -> None:
        """Attach files to the person's open handoff request, opening one if needed."""
        ...

    async def add_to_case(self, *, text: str | None, attachments: list[dict[str, Any]]) -> None:
        """Add a message the person sent while staff have the conversation."""
        ...

    async def cancel_case(self) -> None:
        """Close the person's open case at the person's request (status ``cancelled``)."""
        ...

    async def rate_case(self, *, case_id: int, score: int) -> None:
        """Record the person's 1-5 satisfaction with a closed case."""
        ...

    async def complete_info(self, *, reference: str, answers: dict[str, Any]) -> None:
        """Add the answers staff asked for to an application and send it back for review."""
        ...

    async def track(self, *, stage: str, program: str) -> None:
        """Count the person once at a funnel stage of a program (``started``,
        ``profile_done``, ``eligible``, ``submitted``); the count outlives erasure."""
        ...

    async def next_payment(self) -> PaymentView | None:
        """The person's next installment with money still owed, if they have a loan."""
        ...

    async def upcoming_trainings(self) -> list[TrainingView]:
        """Upcoming sessions of the person's programs, earliest first."""
        ...

    async def register_training(self, *, training_id: int) -> TrainingView | None:
        """Enrol the person; ``None`` when the session is full, past, or not theirs."""
        ...

    async def answer_reminder(self, *, reminder_id: int, answer: str) -> bool:
        """Record the person's answer to one of their reminders (``paid``, ``coming``,
        ``not_coming``); ``False`` when the reminder is not theirs."""
        ...

    async def save_survey(self, *, survey_id: int, answers: dict[str, Any]) -> None:
        """Record the person's answers to a follow-up survey sent to them."""
        ...

    async def erase_person(self) -> None:
        """Erase everything personal about the person, everywhere."""
        ...

    async def someone_else_writing(self) -> None:
        """The person says someone else is writing from their address: ask who, after this
        turn."""
        ...
