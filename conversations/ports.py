"""What the engine needs from the outside world, as small Protocols it owns.

The backend implements them with the database; tests implement them in memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from conversations.messages import Conversation, Outgoing


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


@dataclass(frozen=True)
class CodeGiven:
    """A linking code to show the person, or why none was given (``blocked``: too many wrong
    codes; ``too_many``: too many codes asked for) and until when."""

    code: str | None
    refused: str | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class CodeTaken:
    """What a typed linking code did: ``linked``, ``wrong``, ``blocked``, ``expired``,
    ``used`` or ``own`` (a code of this same person). Once linked, ``person`` is the person
    as they now are, both accounts together."""

    outcome: str
    attempts_left: int = 0
    until: datetime | None = None
    person: Conversation | None = None


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

    async def issue_link_code(self) -> CodeGiven:
        """A new six-digit code to type on another channel, unless linking is refused."""
        ...

    async def redeem_link_code(self, *, code: str) -> CodeTaken:
        """Use a code taken on another channel: on success the person who took it and this
        person are one (the one who took it remains)."""
        ...

    async def codes_by_whatsapp(self) -> bool:
        """Whether a code can be sent from here to a WhatsApp number (WhatsApp is on, and
        the person is not writing from WhatsApp already)."""
        ...

    async def send_code_by_whatsapp(self, *, phone: str, messages: Mapping[str, Outgoing]) -> bool:
        """Queue the message (by language: the number's chat's language is used) to the
        WhatsApp number ``phone`` (E.164); ``False`` when WhatsApp does not let us write to it
        first (it did not write to us in the last 24 hours)."""
        ...

    async def someone_else_writing(self) -> None:
        """The person says someone else is writing from their address: ask who, after this
        turn."""
        ...
