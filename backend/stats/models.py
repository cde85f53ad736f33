"""The funnel: the stages a person reached in a program."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.types import UTCDateTime


class FunnelStep(Base):
    """A person reaching a stage of a program's funnel, once.

    Erasure unlinks the person and keeps the row, so the funnel keeps its anonymous counts.
    """

    __tablename__ = "funnel_steps"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "program", "stage", name="uq_funnel_steps_person"),
        Index("ix_funnel_steps_program_stage", "program", "stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL")
    )
    program: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
