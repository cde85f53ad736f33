"""Trainings and who is enrolled in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.types import UTCDateTime


class Training(Base):
    """A training session (CEFE, GERME...). ``schedule_version`` grows on every move."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    schedule_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enrollment(Base):
    """A person enrolled in a session, by staff or from the bot, and their attendance answer."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("training_id", "beneficiary_id", name="uq_enrollments_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="enrolled")
    source: Mapped[str] = mapped_column(String(8), default="staff")
    attendance: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(Base):
    """Whether an enrolled person came to a session, as staff marked it on the day.

    Erasing the person unlinks the row (``beneficiary_id`` NULL) and keeps it, so the
    programme's attendance figures keep their anonymous counts.
    """

    __tablename__ = "training_attendance"
    __table_args__ = (
        UniqueConstraint("training_id", "beneficiary_id", name="uq_training_attendance_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
