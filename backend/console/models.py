"""The staff console's own tables: browser sessions, internal notes and the live-event feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.types import UTCDateTime


class ConsoleSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so a
    copy of the database signs nobody in. It ends at sign-out, or after a spell of inactivity."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseNote(Base):
    """An internal note on a case: for staff only, never sent to the person."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsoleEvent(Base):
    """Something an open inbox should show: a case opened, a message came, a case was assigned
    or closed. The growing id is the Server-Sent Events id a browser catches up from; the row
    names no person, only the case and its programme (for scope)."""

    __tablename__ = "console_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int] = mapped_column(Integer)
    program: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
