"""Handed-off conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from backend.api.schemas import CleanText, Id, Identifier, Input, Output


class CaseRead(Output):
    """A case, without any personal value: what lists show."""

    id: int
    beneficiary_id: int | None
    program: str | None
    status: Literal["open", "closed", "cancelled"]
    reason: str
    assigned_to: int | None
    opened_at: datetime
    assigned_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None


class CaseMessageRead(Output):
    """A message of the case: the person's (``in``) or staff's (``out``)."""

    id: int
    direction: Literal["in", "out"]
    staff_id: int | None
    text: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime


class TranscriptLine(Output):
    """What the person and the bot said before the case opened."""

    direction: Literal["in", "out"]
    text: str
    at: datetime


class PersonSummary(Output):
    """The person behind a case: channel, language and profile answers."""

    id: int
    channel: str
    language: str
    profile: dict[str, Any]
    created_at: datetime


class CaseDetail(CaseRead):
    """A case with its messages, attachments, the person and the recent transcript."""

    attachments: list[dict[str, Any]]
    messages: list[CaseMessageRead]
    person: PersonSummary | None
    transcript: list[TranscriptLine]


class AssignCreate(Input):
    """Whom to give the case to; yourself when left out."""

    staff_id: Id | None = None


class TextReplyCreate(Input):
    """A reply typed by staff."""

    text: Annotated[CleanText, Field(min_length=1, max_length=4000)]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("'text' must not be blank")
        return value


class CannedReplyCreate(Input):
    """A canned reply, by id; the person receives it in their language."""

    canned: Identifier


#: A reply: free text, or a canned reply.
CaseMessageCreate = TextReplyCreate | CannedReplyCreate


class TextRead(Output):
    """One text in each language the bot speaks."""

    ar: str
    fr: str
    en: str
    pt: str


class CannedReplyRead(Output):
    """A canned reply."""

    id: str
    title: TextRead
    text: TextRead
