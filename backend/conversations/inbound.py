"""One message's path: record it once, answer it, and queue the replies, in one transaction.

webhook or poll -> adapter -> :meth:`InboundService.receive` -> the address's lock -> a batch
of the messages waiting (:mod:`backend.conversations.batching`) -> inbound rows (unique on
channel and external id: a redelivery stops here) -> who writes, locked, with their open-case
flag -> engine, one message after the other -> state, effects and outbox rows committed
together -> the dispatcher is woken.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.batching import Batches
from backend.conversations.locks import KeyedLocks, PersonLocks
from backend.conversations.models import InboundMessage
from backend.conversations.outbox_pending import (
    QueuedRow,
    defer_outbox,
    queue_later,
    write_pending,
)
from backend.conversations.state import load_conversation, save_conversation
from backend.conversations.store import DatabaseStore
from backend.conversations.who_is_writing import ask_now, mark_asked, pick
from backend.db.base import utcnow
from backend.db.dialect import insert_for
from backend.db.uniform_updates import write_alike
from backend.db.write_turns import write_turn
from backend.media.queue import enqueue as enqueue_media
from backend.people.addresses import (
    Writers,
    record_consent,
    reply_through,
    writers_at,
    writers_at_all,
)
from backend.people.models import Address, Beneficiary
from bot.base import InboundEnvelope
from conversations.engine import Engine
from conversations.messages import Conversation, Incoming

logger = logging.getLogger(__name__)

#: The most messages one transaction carries: enough for a poll batch of every chat at once,
#: few enough that a failed batch handled again one by one costs little.
BATCH_SIZE = 50


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
        ask_after: timedelta = timedelta(minutes=30),
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._sessions = session_factory
        self._engine = engine
        self._zone = zone
        self._clock = clock
        self._on_queued = on_queued
        self._after_erasure = after_erasure
        self._on_media = on_media
        self._locks: PersonLocks = locks or KeyedLocks()
        self._ask_after = ask_after
        self._batches: Batches[InboundEnvelope, InboundResult] = Batches(
            self._receive_all, size=batch_size
        )

    async def receive(self, envelope: InboundEnvelope) -> InboundResult:
        """Record, answer and queue one message; a message seen before changes nothing.

        The address's lock is held until the message's batch is committed, so one address never
        has two messages in a batch, nor in two processes at once."""
        async with self._locks.hold((envelope.channel, envelope.address)):
            result = await self._batches.submit(envelope)
            if result.erased is not None and self._after_erasure:
                await self._after_erasure([result.erased])
        if result.outbox_ids and self._on_queued:
            self._on_queued()
        if envelope.incoming.attachments and self._on_media:
            self._on_media()  # files are fetched after the commit, never inside it
        return result

    async def finish(self) -> None:
        """Let the batch being handled commit (called before the database is closed)."""
        await self._batches.finish()

    async def _receive_all(self, envelopes: Sequence[InboundEnvelope]) -> list[InboundResult]:
        """One transaction for the messages of a batch, handled in their order."""
        now = self._clock()
        async with write_turn(self._sessions), self._sessions() as session, session.begin():
            write_alike(session, Beneficiary, Address)  # locked by the lookup of who writes
            defer_outbox(session)
            inbound_ids = await record_all(session, envelopes, now)
            new = [e for e, i in zip(envelopes, inbound_ids, strict=True) if i is not None]
            writers = await writers_at_all(
                session,
                [(e.channel, e.address) for e in new],
                default_language=self._engine.default_language,
                now=now,
            )
            turns: list[_Turn | None] = []
            turned: set[int] = set()
            for envelope, inbound_id in zip(envelopes, inbound_ids, strict=True):
                if inbound_id is None:
                    logger.info("duplicate %s message ignored", envelope.channel)
                    turns.append(None)
                    continue
                found = writers[(envelope.channel, envelope.address)]
                if turned & {person.id for person, _ in found.rows}:
                    # A turn of this batch wrote these people (a person writing from two
                    # channels, a merge): read them again rather than trust the batch's read.
                    found = await writers_at(
                        session,
                        channel=envelope.channel,
                        address=envelope.address,
                        default_language=self._engine.default_language,
                        now=now,
                    )
                turn = await self._turn(session, envelope, inbound_id, found, now)
                turned |= turn.people
                turns.append(turn)
            await session.flush()
            await write_pending(session)
            await _keep(session, [t.kept for t in turns if t is not None and t.kept])
        return [InboundResult(duplicate=True) if t is None else t.result() for t in turns]

    async def _turn(
        self,
        session: AsyncSession,
        envelope: InboundEnvelope,
        inbound_id: int,
        writers: Writers,
        now: datetime,
    ) -> _Turn:
        """Answer one message of the batch; its rows are added, written with the batch."""
        chosen = await pick(
            session,
            writers,
            envelope.incoming,
            engine=self._engine,
            ask_after=self._ask_after,
            now=now,
        )
        if chosen.ask is not None:
            # Nobody's yet: neither kept nor answered, only the question is sent.
            rows = queue_later(
                session,
                channel=envelope.channel,
                address=envelope.address,
                messages=[chosen.ask],
                beneficiary_id=None,
                now=now,
            )
            return _Turn(rows, people=everyone(writers))
        assert chosen.person is not None and chosen.address is not None  # noqa: S101
        beneficiary, address = chosen.person, chosen.address
        reply_through(beneficiary, address, now=now)
        consented_before = beneficiary.consent_version
        conversation = load_conversation(beneficiary)
        conversation.case_open = beneficiary.id in writers.open_cases
        if not beneficiary.state and not chosen.chosen:
            conversation.language = self._engine.new_conversation(
                envelope.incoming.language_hint
            ).language
        store = DatabaseStore(session=session, beneficiary=beneficiary, now=now, zone=self._zone)
        if chosen.chosen:
            replies = await self._engine.greet_writer(
                conversation, store=store, now=now, name=chosen.name
            )
        else:
            replies = await self._engine.handle(
                conversation, envelope.incoming, store=store, now=now
            )
        people = everyone(writers) | {beneficiary.id, store.person.id}
        if store.person is not beneficiary:
            # A linking code made this person one with another, who remains: the turn is
            # theirs now, and this address (now theirs too) is where they last wrote from.
            beneficiary = store.person
            consented_before = beneficiary.consent_version
            reply_through(beneficiary, address, now=now)
        if store.someone_else and not store.erased:
            await mark_asked(session, writers, now=now)
            replies = [*replies, ask_now(self._engine, writers)]
        kept: dict[str, object] | None = None
        if not store.erased:
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
            kept = {"id": inbound_id, "beneficiary_id": beneficiary.id}
            kept |= await self._kept_content(
                session, envelope, beneficiary, address, conversation, now
            )
        rows = queue_later(
            session,
            channel=envelope.channel,
            address=envelope.address,
            messages=replies,
            beneficiary_id=None if store.erased else beneficiary.id,
            now=now,
            scrub_after_send=store.erased,
        )
        return _Turn(rows, people, kept, erased=beneficiary.id if store.erased else None)

    async def _kept_content(
        self,
        session: AsyncSession,
        envelope: InboundEnvelope,
        person: Beneficiary,
        address: Address,
        conversation: Conversation,
        now: datetime,
    ) -> dict[str, object]:
        """What the inbound row keeps of the message: its words and files, only with consent
        (files are queued to be fetched)."""
        if conversation.consent_version is None:
            return {"text": None, "attachments": None}
        if envelope.incoming.sender_name:
            person.channel_name = envelope.incoming.sender_name
            address.channel_name = envelope.incoming.sender_name
        attachments = _attachments(envelope.incoming) or None
        if attachments:
            await enqueue_media(
                session,
                beneficiary_id=person.id,
                channel=envelope.channel,
                attachments=attachments,
                now=now,
            )
        return {"text": _kept_text(envelope), "attachments": attachments}


@dataclass(frozen=True)
class _Turn:
    """One message's share of a batch, until the batch is committed."""

    rows: list[QueuedRow]
    #: Everyone this turn read or wrote: a later message of the batch reads them again.
    people: frozenset[int]
    #: The inbound row's values (``None``: nothing is kept, the person was erased or unknown).
    kept: dict[str, object] | None = None
    erased: int | None = None

    def result(self) -> InboundResult:
        ids = tuple(row.id for row in self.rows if row.id is not None)
        if len(ids) != len(self.rows):
            raise RuntimeError("a reply of the batch was not written")
        return InboundResult(duplicate=False, outbox_ids=ids, erased=self.erased)


def everyone(writers: Writers) -> frozenset[int]:
    """The ids of the people who write from an address."""
    return frozenset(person.id for person, _ in writers.rows)


async def record_all(
    session: AsyncSession, envelopes: Sequence[InboundEnvelope], now: datetime
) -> list[int | None]:
    """Insert the inbound keys in one statement: each one's row id, ``None`` for a message
    already received (before, or earlier in the same list).

    Every way a message enters (the inbound service, WhatsApp's "more" button) goes through
    this, so a redelivery is dropped the same way everywhere."""
    first: dict[tuple[str, str], int] = {}
    for index, envelope in enumerate(envelopes):
        first.setdefault((envelope.channel, envelope.external_id), index)
    # One statement, given the rows as parameters (SQLAlchemy sends them as one multi-row
    # INSERT): the same statement each time, compiled once, where rows written into it
    # were a new statement for every batch, compiled again (milliseconds each).
    found = await session.execute(
        _record_statement(session),
        [
            {"channel": channel, "external_id": external_id, "received_at": now}
            for channel, external_id in first
        ],
    )
    inserted = {(r.channel, r.external_id): r.id for r in found}
    keys = [(e.channel, e.external_id) for e in envelopes]
    return [inserted.get(key) if first[key] == i else None for i, key in enumerate(keys)]


def _record_statement(session: AsyncSession) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for the session's database."""
    table = InboundMessage.__table__
    return (
        insert_for(session)(table)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(table.c.id, table.c.channel, table.c.external_id)
    )


async def record_once(
    session: AsyncSession, envelope: InboundEnvelope, now: datetime
) -> int | None:
    """Insert one inbound key; ``None`` when this message was already received."""
    (found,) = await record_all(session, [envelope], now)
    return found


async def _keep(session: AsyncSession, kept: list[dict[str, object]]) -> None:
    """Write what each inbound row keeps, in one statement (the rows were inserted by a Core
    statement: written, not read back)."""
    if kept:
        await session.execute(update(InboundMessage), kept)


def _kept_text(envelope: InboundEnvelope) -> str | None:
    """What the person's transcript shows: the text typed, or the label of the button."""
    return envelope.incoming.text or envelope.shown


def _attachments(incoming: Incoming) -> list[dict[str, str | None]]:
    return [
        {"kind": a.kind, "reference": a.reference, "mime_type": a.mime_type}
        for a in incoming.attachments
    ]
