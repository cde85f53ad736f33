"""The messages in and out: each inbound message once, each reply as an outbox row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from backend.db.base import Base, utcnow
from backend.db.types import JsonType, UTCDateTime


class InboundMessage(Base):
    """Every message received, once: the unique key makes a redelivery a no-op.

    ``text`` is kept only for people who consented; erasure clears it.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_messages_channel_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the state change that caused it.

    Status moves forward only: ``queued`` or ``retry`` -> ``sent`` or ``failed``; ``held`` is a
    message a channel may not deliver now (WhatsApp outside the 24-hour window, with no template
    for it), kept for staff and queued again when the person writes; ``cancelled`` is a
    reminder or broadcast the person no longer wants (they typed "stop" after it was queued).
    ``delivery_status`` is what the channel reported afterwards (``sent`` < ``failed`` <
    ``delivered`` < ``read``), also forward only.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_channel_external_id", "channel", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(128))
    scrub_after_send: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    delivery_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A row's place in the multi-row ``INSERT`` that wrote it, and nothing else: with it,
    #: SQLAlchemy writes many rows in one statement on SQLite too and still knows which id
    #: each got (SQLite does not promise ``RETURNING``'s order, so without it every row was
    #: its own statement). Replies are ordered by ``id``, never by this.
    _insert_sentinel: Mapped[int | None] = orm_insert_sentinel("insert_sentinel")
