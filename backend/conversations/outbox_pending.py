"""The replies of an inbound batch, written as the parameters of one ``INSERT``, not as ORM
objects.

A batch of fifty turns queues some sixty replies. As ORM objects each cost about twice what
it costs as one more row of a statement (instrumented attributes, the unit of work's
bookkeeping, the id set back on each object). The rows keep what the ORM guaranteed: they are
written, in the order they were queued, before the session flushes anything else (so outbox
ids follow the order messages were queued in, whoever queued them, and ORM rows queued later
come after), before any statement that reads or changes the outbox (an erasure deleting a
person's messages, a merge moving them), and when the batch ends (:func:`write_pending`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.util import find_tables

from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import new_rows
from conversations.messages import Outgoing

#: Where a session keeps the rows queued and not yet written (in its ``info``).
PENDING_KEY = "massar.pending_outbox"
_OUTBOX = OutboxMessage.__tablename__


@dataclass
class QueuedRow:
    """A reply queued in the batch; ``id`` once it is written."""

    values: dict[str, Any]
    id: int | None = None


def defer_outbox(session: AsyncSession) -> None:
    """Have :func:`queue_later` keep ``session``'s rows until they must be written."""
    session.info[PENDING_KEY] = []


def queue_later(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    messages: Iterable[Outgoing],
    beneficiary_id: int | None,
    now: datetime,
    scrub_after_send: bool = False,
) -> list[QueuedRow]:
    """One row per message, due now, written with the others of the session (see above)."""
    rows = [
        QueuedRow(row)
        for row in new_rows(
            channel=channel,
            address=address,
            messages=messages,
            beneficiary_id=beneficiary_id,
            now=now,
            scrub_after_send=scrub_after_send,
        )
    ]
    session.info[PENDING_KEY].extend(rows)
    return rows


async def write_pending(session: AsyncSession) -> None:
    """Write the rows queued and not yet written (the batch's end)."""
    await session.run_sync(_write)


def _write(session: Session) -> None:
    pending: list[QueuedRow] | None = session.info.get(PENDING_KEY)
    if not pending:
        return
    session.info[PENDING_KEY] = []
    ids = session.connection().execute(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
        [row.values for row in pending],
    )
    for row, row_id in zip(pending, ids.scalars(), strict=True):
        row.id = row_id


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    _write(session)


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    if state.session.info.get(PENDING_KEY) and _touches_outbox(state.statement):
        _write(state.session)


def _touches_outbox(statement: Any) -> bool:
    return any(
        getattr(table, "name", None) == _OUTBOX
        for table in find_tables(statement, include_crud=True, include_joins=True)
    )
