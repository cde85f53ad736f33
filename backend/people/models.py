"""A person, the addresses they write from, their consents, and the records of linking.

A person (:class:`Beneficiary`) is one human being: one profile, one conversation, one set of
applications and cases, whichever channels they use. Each :class:`Address` (a Telegram chat, a
WhatsApp number, a web chat session) belongs to exactly one person; a number a family shares
carries one address row per person on it, told apart by ``slot``.

Personal data lives here, in ``applications.answers``, ``inbound_messages.text`` and
``outbox.payload``; erasure clears exactly those."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
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
    """A person, and their conversation state.

    ``channel``, ``address`` and ``language`` say where replies go that are not answers to a
    message (staff replies, decisions, reminders, broadcasts): the address the person last
    wrote from, in that address's language. Only :mod:`backend.people.addresses` sets them; the
    addresses themselves are :class:`Address` rows.
    """

    __tablename__ = "beneficiaries"

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
    #: Wrong linking codes typed in a row, and until when linking is refused after too many.
    link_failures: Mapped[int] = mapped_column(Integer, default=0)
    link_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Address(Base):
    """One way to reach a person: a Telegram chat id, a WhatsApp number, a web chat session.

    ``slot`` is 0 for the first person on a channel address; a shared number's second person
    is 1, and so on. ``chosen_at`` is when this person last answered "who is writing?" on it.
    """

    __tablename__ = "addresses"
    __table_args__ = (
        UniqueConstraint("channel", "address", "slot", name="uq_addresses_channel_address_slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(128))
    slot: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(5))
    channel_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Consent(Base):
    """A consent given, with the version of the text shown and where: a merged person keeps
    every consent each of their addresses gave."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonMerge(Base):
    """Two people made one: what the absorbed person was and what moved, so that unlinking
    can give the address back its own person. Undoing scrubs the snapshot."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The person who remains.
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    #: The id the absorbed person had (their row is gone while merged).
    absorbed_id: Mapped[int] = mapped_column(Integer)
    #: ``person`` (a linking code) or ``staff``.
    merged_by: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    #: The absorbed person's row as it was, and the survivor's profile before the merge.
    absorbed: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    survivor_profile: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    #: Table name -> ids of the absorbed person's rows that now belong to the survivor.
    moved: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    #: Each profile answer the two disagreed on: field, kept and dropped values, for staff.
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkCode(Base):
    """A six-digit code a person asked for on one address, to type on another within ten
    minutes. Only its keyed digest is stored; it works once."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The application list's governorate filter finds its people through this index.
Index("ix_beneficiaries_governorate", indexed_json_text(Beneficiary.profile, "governorate"))
# Lookups by where replies go (the web chat page, WhatsApp's window and paging).
Index("ix_beneficiaries_channel_address", Beneficiary.channel, Beneficiary.address)
