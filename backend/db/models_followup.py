"""Loans, trainings, reminders, broadcasts and follow-up surveys (issue #6).

Money is in minor units (``*_minor``, millimes for TND). Reminders, broadcasts and surveys are
rows with a due time that a periodic tick claims; nothing scheduled lives only in memory.
Erasing a person deletes their reminders and enrolments and unlinks their loans and surveys,
so the fund's figures and the program indicators keep their anonymous counts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models import Base, utcnow
from backend.db.types import JsonType, UTCDateTime


class Fund(Base):
    """A program's revolving fund in one currency: its starting capital, set by staff."""

    __tablename__ = "funds"

    program: Mapped[str] = mapped_column(String(40), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    initial_capital_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Loan(Base):
    """A loan paid out of a program's fund, repaid in installments back into it."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program: Mapped[str] = mapped_column(String(40), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    installments: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[str] = mapped_column(String(10))
    first_due_date: Mapped[date] = mapped_column(Date)
    grace_periods: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Installment(Base):
    """One due date of a loan's schedule, and what has been paid on it."""

    __tablename__ = "installments"
    __table_args__ = (UniqueConstraint("loan_id", "number", name="uq_installments_loan_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)


class Repayment(Base):
    """Money received for a loan. Allocation to installments is derived (oldest first)."""

    __tablename__ = "repayments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class Reminder(Base):
    """One message to send at ``due_at`` (UTC, already moved out of quiet hours).

    ``status`` moves forward only: ``pending`` -> ``sent``, ``cancelled`` or ``skipped``
    (``reason`` says why). ``scheduled_at`` is the time the schedule asked for; ``version``
    grows whenever the schedule moves it, so staff can see it moved and a stale copy is never
    mistaken for it.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    program: Mapped[str] = mapped_column(String(40), index=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    installment_id: Mapped[int | None] = mapped_column(
        ForeignKey("installments.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    version: Mapped[int] = mapped_column(Integer, default=1)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(String(40))
    answer: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Broadcast(Base):
    """A message to a segment at a chosen time, with a text per language.

    ``program`` is the segment's program (``None``: everyone, admins only), for scoping.
    ``cursor`` is the last person considered, so expansion resumes where it stopped.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_due", "status", "send_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program: Mapped[str | None] = mapped_column(String(40), index=True)
    segment: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    texts: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BroadcastRecipient(Base):
    """One person a broadcast reached (or skipped), once: the unique key makes it so."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "beneficiary_id", name="uq_broadcast_recipients_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL")
    )
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
