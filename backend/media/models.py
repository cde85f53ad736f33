"""Files people send, fetched from their channel and kept under the data folder.

A row is written in the same transaction as the message that brought the file, so the file is
never forgotten: the media worker downloads it afterwards, retrying while the channel fails.
Also here: the indexes the staff console's lists need on tables defined elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.types import UTCDateTime

#: ``pending`` (to fetch, or to retry at ``next_attempt_at``) -> ``stored``, or ``failed`` after
#: the last attempt, or ``refused`` (too large, or a type not allowed).
MEDIA_STATUSES = ("pending", "stored", "failed", "refused")


class MediaFile(Base):
    """One file a person sent on a channel, known by the channel's reference (file id)."""

    __tablename__ = "media_files"
    __table_args__ = (
        UniqueConstraint(
            "beneficiary_id", "channel", "reference", name="uq_media_files_beneficiary_id"
        ),
        Index("ix_media_files_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    declared_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The console's application list sorts newest first within the visible programs and counts
# per status; the audit page filters by action and by staff over time.
