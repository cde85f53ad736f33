"""A person who writes to the bot, with their conversation state and consent.

Personal data lives here, in ``applications.answers``, ``inbound_messages.text`` and
``outbox.payload``; erasure clears exactly those."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, utcnow
from backend.db.json_text import indexed_json_text
from backend.db.types import JsonType, UTCDateTime


class Beneficiary(Base):
    """A person who writes to the bot on one channel, and their conversation state."""

    __tablename__ = "beneficiaries"
    __table_args__ = (
        UniqueConstraint("channel", "address", name="uq_beneficiaries_channel_address"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(5))
    profile: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The name the channel gives (Telegram's first and last name, WhatsApp's profile name),
    #: kept like message texts: only once the person consented.
    channel_name: Mapped[str | None] = mapped_column(String(120))


# The application list's governorate filter finds its people through this index.
Index("ix_beneficiaries_governorate", indexed_json_text(Beneficiary.profile, "governorate"))
