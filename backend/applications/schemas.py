"""Applications and decisions on them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from backend.api.schemas import CleanText, Identifier, Input, Output

Decision = Literal["accepted", "rejected", "waitlisted", "needs_info"]
Status = Literal["submitted", "accepted", "rejected", "waitlisted", "needs_info"]


class ApplicationRead(Output):
    """An application as lists show it: reference, status, dates, name and governorate."""

    id: int
    reference: str
    program: str
    status: str
    language: str
    beneficiary_id: int | None
    full_name: str | None
    governorate: str | None
    submitted_at: datetime
    updated_at: datetime
    erased_at: datetime | None

    @classmethod
    def of(cls, application: Any, governorate: str | None) -> ApplicationRead:
        """From a row, with the name answer and the person's governorate."""
        name = (application.answers or {}).get("full_name")
        return cls.model_validate(
            {
                **{
                    k: getattr(application, k) for k in cls.model_fields if hasattr(application, k)
                },
                "full_name": str(name) if name is not None else None,
                "governorate": governorate,
            }
        )


class EventRead(Output):
    """One step of an application's history."""

    status: str
    note: str | None
    fields: list[str]
    staff_id: int | None
    at: datetime


class AnswerRead(Output):
    """One answer of the form, in the form's order, with its question in English."""

    field: str
    question: str
    value: Any


class ApplicationDetail(ApplicationRead):
    """An application with its answers, attachments and history."""

    answers: list[AnswerRead]
    attachments: list[dict[str, Any]]
    events: list[EventRead]


class DecisionCreate(Input):
    """A decision; with ``needs_info``, ``fields`` names the form fields the bot asks again."""

    status: Decision
    note: Annotated[CleanText, Field(max_length=2000)] | None = None
    fields: Annotated[list[Identifier], Field(default_factory=list, max_length=40)]
