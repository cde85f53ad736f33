"""Follow-up surveys sent after a decision; erasure unlinks the person, keeping the counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.types import JsonType, UTCDateTime


class Survey(Base):
    """A follow-up survey round after acceptance: due, sent, then answered.

    The answers stay after erasure, unlinked, for the program's indicators.
    """

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("application_id", "round", name="uq_surveys_application_round"),
        Index("ix_surveys_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program: Mapped[str] = mapped_column(String(40), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL")
    )
    round: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claim_token: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(String(40))
    answers: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
