"""Broadcasts: who receives one (a segment) and what staff read back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from backend.api.schemas import CleanText, Id, Identifier, Input, Output, ProgramCode

Language = Literal["ar", "fr", "en", "pt"]
ApplicationStatus = Literal["submitted", "accepted", "rejected", "waitlisted", "needs_info"]


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


class ReachRead(Output):
    """How many people a segment reaches now."""

    matching: int = Field(description="People matching the segment.")
    reachable: int = Field(description="Of them, those who would be sent the message.")
    skipped: int = Field(description="Of them, those who typed stop or cannot be reached.")
