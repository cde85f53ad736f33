"""Broadcasts: a message to a segment at a chosen time, one text per language.

A tick expands a due broadcast in batches: each batch, in one transaction, claims the
broadcast row, takes the next people after its cursor, records one recipient row per person
(unique per broadcast and person, so nobody gets it twice) and queues their outbox message.
Opted-out and unreachable people are recorded as skipped. Nothing goes out in quiet hours.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.models import Application
from backend.broadcasts.models import Broadcast, BroadcastRecipient
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_for
from backend.db.claim import claim_due, lock_for_write
from backend.db.dialect import insert_for
from backend.people.models import Beneficiary
from backend.reminders.policy import ReminderPolicy
from backend.trainings.models import Enrollment
from conversations.i18n import RTL_LANGUAGES
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)
SEGMENT_KEYS = ("program", "application_status", "governorate", "country", "language", "training")
#: Outbox statuses of a message not sent yet, which cancelling a broadcast stops.
UNSENT = ("queued", "retry", "held")
#: The language used for someone whose own has no text, in this order.
FALLBACK = ("fr", "ar", "en", "pt")


def values_of(segment: dict[str, Any], key: str) -> list[Any]:
    value = segment.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def segment_query(segment: dict[str, Any], *, after: int, limit: int) -> Any:
    """People after id ``after`` matching the segment's database criteria, by id."""
    query = segment_where(select(Beneficiary).where(Beneficiary.id > after), segment)
    return query.order_by(Beneficiary.id).limit(limit)


def segment_where(query: Any, segment: dict[str, Any]) -> Any:
    """``query`` narrowed to the people matching the segment's database criteria. Only people
    who agreed to how their data is used receive broadcasts (the consent says so)."""
    query = query.where(Beneficiary.consent_version.is_not(None))
    if languages := values_of(segment, "language"):
        query = query.where(Beneficiary.language.in_(languages))
    programs, statuses = values_of(segment, "program"), values_of(segment, "application_status")
    if programs or statuses:
        applied = [Application.beneficiary_id == Beneficiary.id]
        if programs:
            applied.append(Application.program.in_(programs))
        if statuses:
            applied.append(Application.status.in_(statuses))
        query = query.where(exists().where(*applied))
    if trainings := values_of(segment, "training"):
        query = query.where(
            exists().where(
                Enrollment.beneficiary_id == Beneficiary.id,
                Enrollment.training_id.in_([int(t) for t in trainings]),
                Enrollment.status == "enrolled",
            )
        )
    return query


def matches_profile(segment: dict[str, Any], profile: dict[str, Any]) -> bool:
    """Governorate and country live in the profile (kept only with consent)."""
    for key in ("governorate", "country"):
        wanted = values_of(segment, key)
        if wanted and profile.get(key) not in wanted:
            return False
    return True


def skip_reason(opted_out: bool, unreachable: bool) -> str | None:
    """Why someone in the segment gets nothing: they typed stop, or cannot be reached."""
    if opted_out:
        return "opted_out"
    return "unreachable" if unreachable else None


def text_for(texts: dict[str, str], language: str) -> tuple[str, str]:
    """The person's language's text, or the first fallback that has one."""
    for lang in (language, *FALLBACK):
        if texts.get(lang):
            return lang, texts[lang]
    lang = next(iter(texts))
    return lang, texts[lang]


async def create_broadcast(
    session: AsyncSession,
    *,
    segment: dict[str, Any],
    texts: dict[str, str],
    send_at: datetime,
    staff_id: int | None,
    now: datetime,
) -> Broadcast:
    """Schedule a broadcast; the tick sends it from ``send_at`` on (never in quiet hours)."""
    programs = values_of(segment, "program")
    broadcast = Broadcast(
        program=programs[0] if len(programs) == 1 else None,
        segment={k: v for k, v in segment.items() if v not in (None, [])},
        texts={lang: text for lang, text in texts.items() if text},
        send_at=send_at,
        status="scheduled",
        cursor=0,
        staff_id=staff_id,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def cancel_broadcast(session: AsyncSession, *, broadcast_id: int) -> Broadcast | None:
    """Stop a broadcast: it queues nobody more, and what it queued and is not sent yet is
    cancelled. ``None`` when there is nothing left to stop (everything went, or it expired).

    The row is locked first, so a batch being expanded finishes before it stops. A message a
    dispatcher holds right now (its lease) may still go out; the progress then counts it sent.
    """
    broadcast = await lock_for_write(session, Broadcast, broadcast_id)
    if broadcast is None or broadcast.status not in ("scheduled", "sending", "done"):
        return None
    unsent = (
        select(OutboxMessage.id)
        .join(BroadcastRecipient, BroadcastRecipient.outbox_id == OutboxMessage.id)
        .where(
            BroadcastRecipient.broadcast_id == broadcast.id,
            OutboxMessage.status.in_(UNSENT),
        )
    )
    stopped = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(unsent.scalar_subquery()))
        .values(status="cancelled", last_error="the broadcast was cancelled")
        .execution_options(synchronize_session=False)
    )
    if broadcast.status == "done" and not stopped.rowcount:  # type: ignore[attr-defined]
        return None
    broadcast.status = "cancelled"
    await session.flush()
    return broadcast


async def run_broadcasts(
    sessions: async_sessionmaker[AsyncSession],
    *,
    policy: ReminderPolicy,
    now: datetime,
    max_batches: int = 200,
) -> int:
    """Expand due broadcasts, batch after batch; returns the messages queued."""
    if policy.quiet.is_quiet(now, policy.zone):
        return 0
    queued = 0
    for _ in range(max_batches):
        found, batch = await _broadcast_batch(sessions, policy=policy, now=now)
        queued += batch
        if not found:
            break
    if queued:
        logger.info("broadcast tick: %s messages queued", queued)
    return queued


async def _broadcast_batch(
    sessions: async_sessionmaker[AsyncSession], *, policy: ReminderPolicy, now: datetime
) -> tuple[bool, int]:
    """One batch of one broadcast; ``(False, 0)`` when none is due."""
    async with sessions() as session, session.begin():
        due = and_(Broadcast.status.in_(("scheduled", "sending")), Broadcast.send_at <= now)
        claimed = await claim_due(session, Broadcast, due=due, order_by=Broadcast.send_at, limit=1)
        if not claimed:
            return False, 0
        broadcast = claimed[0]
        broadcast.claim_token = None
        if broadcast.status == "scheduled":
            if now > broadcast.send_at + policy.grace_for("broadcast"):
                broadcast.status, broadcast.finished_at = "expired", now
                return True, 0
            broadcast.status, broadcast.started_at = "sending", now
        people = list(
            await session.scalars(
                segment_query(broadcast.segment, after=broadcast.cursor, limit=policy.batch_size)
            )
        )
        queued = 0
        for person in people:
            if matches_profile(broadcast.segment, person.profile or {}):
                queued += await _deliver(session, broadcast, person, now)
        if people:
            broadcast.cursor = people[-1].id
        if len(people) < policy.batch_size:
            broadcast.status, broadcast.finished_at = "done", now
        return True, queued


async def _deliver(
    session: AsyncSession, broadcast: Broadcast, person: Beneficiary, now: datetime
) -> int:
    """Record the person as a recipient once, and queue their message unless skipped."""
    skip = skip_reason(person.reminders_opt_out, person.unreachable)
    insert = insert_for(session)
    recipient_id = (
        await session.execute(
            insert(BroadcastRecipient)
            .values(
                broadcast_id=broadcast.id,
                beneficiary_id=person.id,
                status="skipped" if skip else "queued",
                reason=skip,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["broadcast_id", "beneficiary_id"])
            .returning(BroadcastRecipient.id)
        )
    ).scalar_one_or_none()
    if recipient_id is None or skip:
        return 0
    lang, text = text_for(broadcast.texts, person.language)
    message = Outgoing(
        text=text,
        language=lang,
        direction="rtl" if lang in RTL_LANGUAGES else "ltr",
        kind="broadcast",
    )
    (outbox,) = await queue_for(session, beneficiary=person, messages=[message], now=now)
    recipient = await session.get(BroadcastRecipient, recipient_id)
    assert recipient is not None  # noqa: S101 - inserted just above
    recipient.outbox_id = outbox.id
    return 1


@dataclass(frozen=True)
class Progress:
    """How far a broadcast has gone: recipients by outcome."""

    recipients: int
    skipped: int
    queued: int
    sent: int
    failed: int
    cancelled: int = 0


async def progress(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Progress]:
    """Counts per broadcast, from its recipients' outbox rows."""

    def bucket(*statuses: str) -> Any:
        return func.sum(case((OutboxMessage.status.in_(statuses), 1), else_=0))

    rows = await session.execute(
        select(
            BroadcastRecipient.broadcast_id,
            func.count(BroadcastRecipient.id),
            func.sum(case((BroadcastRecipient.status == "skipped", 1), else_=0)),
            bucket("queued", "retry"),
            bucket("sent"),
            bucket("failed", "held"),
            bucket("cancelled"),
        )
        .outerjoin(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id)
        .where(BroadcastRecipient.broadcast_id.in_(list(broadcast_ids)))
        .group_by(BroadcastRecipient.broadcast_id)
    )
    found = {row[0]: Progress(*(int(value or 0) for value in row[1:])) for row in rows}
    return {i: found.get(i, Progress(0, 0, 0, 0, 0, 0)) for i in broadcast_ids}
