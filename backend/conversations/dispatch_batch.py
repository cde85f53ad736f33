"""One claim of outbox rows and its results, for the dispatcher.

The dispatcher sends a claim's rows, then writes all their results at once: one statement,
run for every result in a single round trip, fenced by the claim's token and a due status.
Results that leave the row's payload and due time alone (sent, failed, released: nearly all)
use a statement without them, so the payload is not encoded again for every message sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from backend.conversations.models import OutboxMessage
from backend.db.dialect import is_postgres

DUE_STATUSES = ("queued", "retry")


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    address: str | None
    payload: dict[str, object]
    attempts: int
    beneficiary_id: int | None
    scrub_after_send: bool
    token: str
    lease_until: datetime
    status: str
    next_attempt_at: datetime
    last_error: str | None


@dataclass
class Batch:
    """One claim's results, written together at the end."""

    opted_out: set[int]
    writes: list[dict[str, Any]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)

    def add(
        self,
        row: Claimed,
        *,
        status: str,
        attempts: int,
        last_error: str | None,
        next_attempt_at: datetime | None = None,
        sent_at: datetime | None = None,
        external_id: str | None = None,
        scrub: bool = False,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        write: dict[str, Any] = {
            "w_id": row.id,
            "w_beneficiary": row.beneficiary_id,
            "w_status": status,
            "w_attempts": attempts,
            "w_error": last_error,
            "w_sent_at": sent_at,
            "w_external_id": external_id,
            "w_address": None if scrub else row.address,
        }
        if next_attempt_at is not None or payload is not None:
            write["w_next"] = next_attempt_at or row.next_attempt_at
            write["w_payload"] = dict(payload if payload is not None else row.payload)
        self.writes.append(write)

    def release(self, row: Claimed) -> None:
        """Give the row back unchanged: an earlier row to its address must wait."""
        self.add(
            row,
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
        )


def pending(status: Any) -> ColumnElement[bool]:
    """``status IN ('queued', 'retry')`` with the values written out, so that SQLite (and
    PostgreSQL's generic plans) can tell the partial index on unsent rows applies."""
    return cast(
        "ColumnElement[bool]", status.in_([literal_column(f"'{s}'") for s in DUE_STATUSES])
    )


OUTBOX = cast(Table, OutboxMessage.__table__)

_HELD_BY = and_(
    OUTBOX.c.claim_token == bindparam("w_token"),
    pending(OUTBOX.c.status),
)
_GIVEN = OUTBOX.c.id.in_(bindparam("w_ids", expanding=True))
#: Which of the given rows this claim still holds, locked until the commit. On SQLite a no-op
#: write, so that SQLite takes its write lock here rather than failing to upgrade a read.
STILL_HELD = (
    update(OUTBOX)
    .where(_GIVEN, _HELD_BY)
    .values(claim_token=OUTBOX.c.claim_token)
    .returning(OUTBOX.c.id)
)
#: The same on PostgreSQL: a row lock, not a write. A row written twice in one transaction has
#: its foreign key checked again at the second write (PostgreSQL skips the check only for a
#: row it did not write itself), under a share lock on the person, which waited for any
#: inbound batch holding them.
STILL_HELD_LOCKED = select(OUTBOX.c.id).where(_GIVEN, _HELD_BY).with_for_update(key_share=True)


def still_held(session: AsyncSession) -> Executable:
    """The statement that finds (and locks) the rows a claim still holds, for this database."""
    return STILL_HELD_LOCKED if is_postgres(session) else STILL_HELD


_RESULT: dict[str, Any] = {
    "status": bindparam("w_status"),
    "attempts": bindparam("w_attempts"),
    "last_error": bindparam("w_error"),
    "sent_at": bindparam("w_sent_at"),
    "external_id": bindparam("w_external_id"),
    "address": bindparam("w_address"),
    "claimed_until": None,
    "claim_token": None,
}
_FENCED = update(OUTBOX).where(OUTBOX.c.id == bindparam("w_id"), _HELD_BY)
#: Statements (each run once per result, in one round trip) that record results: the plain
#: one, and one that also moves the due time and rewrites the payload (a retry).
RECORD = _FENCED.values(**_RESULT)
RECORD_RETRY = _FENCED.values(
    **_RESULT, next_attempt_at=bindparam("w_next"), payload=bindparam("w_payload")
)
