"""Bulk rows for the benchmarks: people already in the database with some history, and a
pre-filled outbox, with many rows a statement, so 100,000 people take seconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, insert, literal, select, text

from backend.conversations.models import InboundMessage, OutboxMessage
from backend.db.base import utcnow
from backend.db.session import make_engine
from backend.people.models import Address, Beneficiary
from conversations.messages import Outgoing

CHUNK = 10_000  # rows a statement, for the pre-filled outbox
#: Each seeded person's history: messages in, replies out (sent long ago).
INBOUND_EACH, OUTBOX_EACH = 1, 3


async def seed_people(url: str, count: int, *, channel: str = "telegram") -> None:
    """``count`` people who wrote before (addresses ``1``..``count``, one each), each with a
    little history, so that lookups and the outbox claim run against tables of a realistic
    size. The rows are made by the database itself (``INSERT ... SELECT`` from a counter)."""
    if count <= 0:
        return
    db = make_engine(url)
    long_ago = utcnow() - timedelta(days=30)
    reply = Outgoing(text="Bonjour !", language="fr").to_payload()
    counter = select(literal(1).label("n")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.n + 1).where(counter.c.n < count))
    people = select(Beneficiary.id, Beneficiary.address).where(Beneficiary.channel == channel)

    def value(of: Any, column: Any) -> Any:
        return literal(of, column.type)

    async with db.begin() as connection:
        person = {
            "channel": value(channel, Beneficiary.channel),
            "address": cast(counter.c.n, String),
            "language": value("fr", Beneficiary.language),
            "profile": value({}, Beneficiary.profile),
            "state": value({}, Beneficiary.state),
            "reminders_opt_out": value(False, Beneficiary.reminders_opt_out),
            "unreachable": value(False, Beneficiary.unreachable),
            "link_failures": value(0, Beneficiary.link_failures),
            "created_at": value(long_ago, Beneficiary.created_at),
            "last_inbound_at": value(long_ago, Beneficiary.last_inbound_at),
        }
        await connection.execute(_from(Beneficiary, person, select(*person.values())))
        known = people.subquery()
        address = {
            "beneficiary_id": known.c.id,
            "channel": value(channel, Address.channel),
            "address": known.c.address,
            "slot": value(0, Address.slot),
            "language": value("fr", Address.language),
            "created_at": value(long_ago, Address.created_at),
        }
        await connection.execute(_from(Address, address, select(*address.values())))
        for k in range(INBOUND_EACH):
            said = {
                "channel": value(channel, InboundMessage.channel),
                "external_id": literal(f"seed-{k}-") + cast(known.c.id, String),
                "beneficiary_id": known.c.id,
                "received_at": value(long_ago, InboundMessage.received_at),
            }
            await connection.execute(_from(InboundMessage, said, select(*said.values())))
        sent = {
            "beneficiary_id": known.c.id,
            "channel": value(channel, OutboxMessage.channel),
            "address": known.c.address,
            "payload": value(reply, OutboxMessage.payload),
            "status": value("sent", OutboxMessage.status),
            "attempts": value(1, OutboxMessage.attempts),
            "next_attempt_at": value(long_ago, OutboxMessage.next_attempt_at),
            "created_at": value(long_ago, OutboxMessage.created_at),
            "sent_at": value(long_ago, OutboxMessage.sent_at),
            "scrub_after_send": value(False, OutboxMessage.scrub_after_send),
        }
        for _ in range(OUTBOX_EACH):
            await connection.execute(_from(OutboxMessage, sent, select(*sent.values())))
        await connection.execute(text("ANALYZE"))
    await db.dispose()


def _from(model: Any, columns: dict[str, Any], rows: Select[Any]) -> Any:
    return insert(model).from_select(list(columns), rows)


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
