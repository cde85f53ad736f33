"""Reminders as staff read them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from backend.api.schemas import Output


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
