"""An in-memory :class:`~conversations.ports.Store`, for tests and for trying content quickly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from conversations.messages import Outgoing
from conversations.ports import (
    ApplicationView,
    CodeGiven,
    CodeTaken,
    PaymentView,
    TrainingView,
)


@dataclass
class MemoryStore:
    """Keeps one person's effects in lists."""

    applications: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[str] = field(default_factory=list)
    case_files: list[dict[str, Any]] = field(default_factory=list)
    case_messages: list[str | None] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=dict)
    funnel: set[tuple[str, str]] = field(default_factory=set)
    payment: PaymentView | None = None
    trainings: list[TrainingView] = field(default_factory=list)
    reminders: set[int] = field(default_factory=set)
    reminder_answers: dict[int, str] = field(default_factory=dict)
    surveys: dict[int, dict[str, Any]] = field(default_factory=dict)
    erased: int = 0
    cancelled: int = 0
    #: Times the person said someone else is writing.
    passed_on: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    #: Linking: the codes given, what typing a code does (else: wrong), WhatsApp's part.
    link_codes: list[str] = field(default_factory=list)
    link_outcomes: dict[str, CodeTaken] = field(default_factory=dict)
    whatsapp_codes: bool = False
    whatsapp_window_open: bool = True
    whatsapp_sent: list[tuple[str, Outgoing]] = field(default_factory=list)

    async def submit_application(
        self,
        *,
        program: str,
        reference_prefix: str,
        answers: dict[str, Any],
        language: str,
        attachments: list[dict[str, Any]],
    ) -> str:
        self.counters[reference_prefix] = self.counters.get(reference_prefix, 0) + 1
        reference = (
            f"{reference_prefix}-{datetime.now(UTC).year}-{self.counters[reference_prefix]:05d}"
        )
        self.applications.append(
            {
                "reference": reference,
                "program": program,
                "answers": answers,
                "language": language,
                "attachments": attachments,
                "status": "submitted",
                "submitted_at": datetime.now(UTC),
            }
        )
        return reference

    async def list_applications(self) -> list[ApplicationView]:
        return [
            ApplicationView(a["reference"], a["program"], a["status"], a["submitted_at"])
            for a in reversed(self.applications)
        ]

    async def request_handoff(self, *, reason: str) -> None:
        self.handoffs.append(reason)

    async def attach_to_case(self, *, attachments: list[dict[str, Any]]) -> None:
        if not self.handoffs:
            self.handoffs.append("attachment")
        self.case_files.extend(attachments)

    async def add_to_case(self, *, text: str | None, attachments: list[dict[str, Any]]) -> None:
        self.case_messages.append(text)
        self.case_files.extend(attachments)

    async def cancel_case(self) -> None:
        self.cancelled += 1

    async def rate_case(self, *, case_id: int, score: int) -> None:
        self.ratings[case_id] = score

    async def complete_info(self, *, reference: str, answers: dict[str, Any]) -> None:
        application = next(a for a in self.applications if a["reference"] == reference)
        application["answers"].update(answers)
        application["status"] = "submitted"

    async def next_payment(self) -> PaymentView | None:
        return self.payment

    async def upcoming_trainings(self) -> list[TrainingView]:
        return list(self.trainings)

    async def register_training(self, *, training_id: int) -> TrainingView | None:
        for index, training in enumerate(self.trainings):
            if training.id == training_id and not training.enrolled and training.seats_left != 0:
                seats = None if training.seats_left is None else training.seats_left - 1
                self.trainings[index] = replace(training, enrolled=True, seats_left=seats)
                return self.trainings[index]
        return None

    async def answer_reminder(self, *, reminder_id: int, answer: str) -> bool:
        if reminder_id not in self.reminders:
            return False
        self.reminder_answers[reminder_id] = answer
        return True

    async def save_survey(self, *, survey_id: int, answers: dict[str, Any]) -> None:
        self.surveys[survey_id] = answers

    async def track(self, *, stage: str, program: str) -> None:
        self.funnel.add((stage, program))

    async def erase_person(self) -> None:
        self.case_files.clear()
        self.case_messages.clear()
        self.applications.clear()
        self.handoffs.clear()
        self.erased += 1

    async def issue_link_code(self) -> CodeGiven:
        self.link_codes.append(f"{len(self.link_codes) + 402_117:06d}")
        return CodeGiven(code=self.link_codes[-1])

    async def redeem_link_code(self, *, code: str) -> CodeTaken:
        return self.link_outcomes.get(code, CodeTaken("wrong", attempts_left=2))

    async def codes_by_whatsapp(self) -> bool:
        return self.whatsapp_codes

    async def send_code_by_whatsapp(self, *, phone: str, messages: Mapping[str, Outgoing]) -> bool:
        if not self.whatsapp_window_open:
            return False
        self.whatsapp_sent.append((phone, messages["fr"]))
        return True

    async def someone_else_writing(self) -> None:
        self.passed_on += 1
