"""Applications, their reference numbers and their history of decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.json_text import indexed_json_text, json_text
from backend.db.types import JsonType, UTCDateTime


class Application(Base):
    """A submitted application. After erasure only program, status and dates remain."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    program: Mapped[str] = mapped_column(String(40), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonType, default=list, server_default=sql_text("'[]'")
    )
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReferenceCounter(Base):
    """The last reference number given, per prefix and year (``IESS-2026-00042``)."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ApplicationEvent(Base):
    """The history of an application: submitted, decided, information asked and given."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(
        JsonType, default=list, server_default=sql_text("'[]'")
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The staff console's list and filters read applications by these.
Index("ix_applications_submitted_at", Application.submitted_at, Application.id)
Index("ix_applications_program_submitted_at", Application.program, Application.submitted_at)
Index("ix_applications_program_status", Application.program, Application.status)


def _trigram(name: str, expression: Any) -> Index:
    """A PostgreSQL trigram index (``pg_trgm``), which serves ``LIKE '%text%'``; SQLite has
    none, and its search scans the table."""
    index = Index(
        name,
        expression.label("searched"),
        postgresql_using="gin",
        postgresql_ops={"searched": "gin_trgm_ops"},
    )
    return index.ddl_if(dialect="postgresql")


# The person search matches these three expressions.
_trigram("ix_applications_reference_trgm", func.lower(Application.reference))
_trigram("ix_applications_full_name_trgm", func.lower(json_text(Application.answers, "full_name")))
_trigram("ix_applications_phone_trgm", indexed_json_text(Application.answers, "phone"))
