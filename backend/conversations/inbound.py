"""One message's path: record it once, answer it, and queue the replies, in one transaction.

webhook or poll -> adapter -> :meth:`InboundService.receive` -> inbound row (unique on channel
and external id: a redelivery stops here) -> the person's lock and state -> engine -> state,
effects and outbox rows committed together -> the dispatcher is woken.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.cases.models import Case
from backend.conversations.locks import KeyedLocks, PersonLocks
from backend.conversations.models import InboundMessage
from backend.conversations.outbox import queue_messages
from backend.conversations.state import load_conversation, save_conversation
from backend.conversations.store import DatabaseStore
from backend.db.base import utcnow
from backend.db.dialect import insert_for
from backend.media.queue import enqueue as enqueue_media
from backend.people.addresses import record_consent, reply_through, writers_at
from bot.base import InboundEnvelope
from conversations.engine import Engine
from conversations.messages import Incoming

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundResult:
    """What became of a message: a duplicate, or the ids of the replies queued for it."""

    duplicate: bool
    outbox_ids: tuple[int, ...] = ()
    erased: int | None = None


class InboundService:
    """Receives messages from every channel."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        engine: Engine,
        zone: ZoneInfo,
        clock: Callable[[], datetime] = utcnow,
        on_queued: Callable[[], None] | None = None,
        after_erasure: Callable[[list[int]], Awaitable[None]] | None = None,
        on_media: Callable[[], None] | None = None,
        locks: PersonLocks | None = None,
    ) -> None:
        self._sessions = session_factory
        self._engine = engine
        self._zone = zone
        self._clock = clock
        self._on_queued = on_queued
        self._after_erasure = after_erasure
        self._on_media = on_media
        self._locks: PersonLocks = locks or KeyedLocks()

    async def receive(self, envelope: InboundEnvelope) -> InboundResult:
        """Record, answer and queue one message; a message seen before changes nothing."""
        async with self._locks.hold((envelope.channel, envelope.address)):
            result = await self._receive(envelope)
            if result.erased is not None and self._after_erasure:
                await self._after_erasure([result.erased])
        if result.outbox_ids and self._on_queued:
            self._on_queued()
        if envelope.incoming.attachments and self._on_media:
            self._on_media()  # files are fetched after the commit, never inside it
        return result

    async def _receive(self, envelope: InboundEnvelope) -> InboundResult:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            inbound_id = await record_once(session, envelope, now)
            if inbound_id is None:
                logger.info("duplicate %s message ignored", envelope.channel)
                return InboundResult(duplicate=True)
            writers = await writers_at(
                session,
                channel=envelope.channel,
                address=envelope.address,
                default_language=self._engine.default_language,
                now=now,
            )
            beneficiary, address = writers.rows[0]
            reply_through(beneficiary, address, now=now)
            consented_before = beneficiary.consent_version
            conversation = load_conversation(beneficiary)
            conversation.case_open = await _has_open_case(session, beneficiary.id)
            if not beneficiary.state:
                conversation.language = self._engine.new_conversation(
                    envelope.incoming.language_hint
                ).language
            store = DatabaseStore(
                session=session, beneficiary=beneficiary, now=now, zone=self._zone
            )
            replies = await self._engine.handle(
                conversation, envelope.incoming, store=store, now=now
            )
            if store.erased:
                owner = None
            else:
                owner = beneficiary.id
                save_conversation(beneficiary, conversation)
                address.language = beneficiary.language
                beneficiary.unreachable = False
                if conversation.consent_version not in (None, consented_before):
                    await record_consent(
                        session,
                        person=beneficiary,
                        address=address,
                        version=conversation.consent_version,
                        at=beneficiary.consent_at or now,
                    )
                kept: dict[str, object] = {"beneficiary_id": beneficiary.id}
                if conversation.consent_version is not None:
                    if envelope.incoming.sender_name:
                        beneficiary.channel_name = envelope.incoming.sender_name
                        address.channel_name = envelope.incoming.sender_name
                    attachments = _attachments(envelope.incoming) or None
                    kept["text"] = _kept_text(envelope)
                    kept["attachments"] = attachments
                    if attachments:
                        await enqueue_media(
                            session,
                            beneficiary_id=beneficiary.id,
                            channel=envelope.channel,
                            attachments=attachments,
                            now=now,
                        )
                # The row was inserted above by a Core statement: written, not read back.
                await session.execute(
                    update(InboundMessage)
                    .where(InboundMessage.id == inbound_id)
                    .values(**kept)
                    .execution_options(synchronize_session=False)
                )
            rows = await queue_messages(
                session,
                channel=envelope.channel,
                address=envelope.address,
                messages=replies,
                beneficiary_id=owner,
                now=now,
                scrub_after_send=store.erased,
            )
            return InboundResult(
                duplicate=False,
                outbox_ids=tuple(r.id for r in rows),
                erased=beneficiary.id if store.erased else None,
            )


async def record_once(
    session: AsyncSession, envelope: InboundEnvelope, now: datetime
) -> int | None:
    """Insert the inbound key; ``None`` when this message was already received.

    Every way a message enters (the inbound service, WhatsApp's "more" button) goes through
    this, so a redelivery is dropped the same way everywhere."""
    insert = insert_for(session)
    statement = (
        insert(InboundMessage)
        .values(channel=envelope.channel, external_id=envelope.external_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(InboundMessage.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def _has_open_case(session: AsyncSession, beneficiary_id: int) -> bool:
    """Whether staff have this person's conversation."""
    found = await session.scalar(
        select(Case.id).where(Case.beneficiary_id == beneficiary_id, Case.status == "open")
    )
    return found is not None


def _kept_text(envelope: InboundEnvelope) -> str | None:
    """What the person's transcript shows: the text typed, or the label of the button."""
    return envelope.incoming.text or envelope.shown


def _attachments(incoming: Incoming) -> list[dict[str, str | None]]:
    return [
        {"kind": a.kind, "reference": a.reference, "mime_type": a.mime_type}
        for a in incoming.attachments
    ]
