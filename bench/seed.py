"""Bulk rows for the benchmarks: people already in the database with some history, and a
pre-filled outbox. Core ``INSERT``s of many rows a statement, so 100,000 people take seconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.conversations.models import InboundMessage, OutboxMessage
from backend.db.base import utcnow
from backend.db.session import make_engine
from backend.people.models import Beneficiary
from conversations.messages import Outgoing

CHUNK = 10_000
#: Each seeded person's history: messages in, replies out (sent long ago).
INBOUND_EACH, OUTBOX_EACH = 1, 3


async def seed_people(url: str, count: int, *, channel: str = "telegram") -> None:
    """``count`` people who wrote before (addresses ``1``..``count``), each with a little
    history, so that lookups and the outbox claim run against tables of a realistic size."""
    if count <= 0:
        return
    db = make_engine(url)
    long_ago = utcnow() - timedelta(days=30)
    reply = Outgoing(text="Bonjour !", language="fr").to_payload()
    async with db.begin() as connection:
        first = await _next_id(connection)
        for start in range(0, count, CHUNK):
            numbers = range(start + 1, min(start + CHUNK, count) + 1)
            await connection.execute(
                insert(Beneficiary), [_person(str(n), channel, long_ago) for n in numbers]
            )
        ids = range(first, first + count)
        for start in range(0, count, CHUNK):
            chunk = ids[start : start + CHUNK]
            await connection.execute(
                insert(InboundMessage),
                [
                    {"channel": channel, "external_id": f"seed-{i}-{k}", "beneficiary_id": i}
                    | {"received_at": long_ago}
                    for i in chunk
                    for k in range(INBOUND_EACH)
                ],
            )
            await connection.execute(
                insert(OutboxMessage),
                [
                    _outbox(str(i - first + 1), reply, "sent", long_ago) | {"beneficiary_id": i}
                    for i in chunk
                    for _ in range(OUTBOX_EACH)
                ],
            )
        await connection.execute(text("ANALYZE"))
    await db.dispose()


async def prefill_outbox(url: str, rows: int, *, addresses: int, first: int) -> None:
    """``rows`` replies due now to ``addresses`` chats (numbered from ``first``), round-robin,
    as the dispatcher finds them after a burst."""
    db = make_engine(url)
    now = utcnow()
    payload = Outgoing(text="Que voulez-vous faire ?", language="fr").to_payload()
    async with db.begin() as connection:
        for start in range(0, rows, CHUNK):
            await connection.execute(
                insert(OutboxMessage),
                [
                    _outbox(str(first + n % addresses), payload, "queued", now)
                    for n in range(start, min(start + CHUNK, rows))
                ],
            )
    await db.dispose()


async def _next_id(connection: AsyncConnection) -> int:
    """The id the next person gets (the tables are fresh: ids run on from it)."""
    found = await connection.scalar(select(Beneficiary.id).order_by(Beneficiary.id.desc()))
    return int(found or 0) + 1


def _person(address: str, channel: str, when: datetime) -> dict[str, Any]:
    return {
        "channel": channel,
        "address": address,
        "language": "fr",
        "profile": {},
        "state": {},
        "reminders_opt_out": False,
        "unreachable": False,
        "created_at": when,
        "last_inbound_at": when,
    }


def _outbox(address: str, payload: Any, status: str, when: datetime) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "address": address,
        "payload": payload,
        "status": status,
        "attempts": 0 if status == "queued" else 1,
        "next_attempt_at": when,
        "created_at": when,
        "sent_at": None if status == "queued" else when,
        "scrub_after_send": False,
    }
