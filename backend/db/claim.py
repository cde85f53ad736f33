"""Claiming due rows so that several processes never take the same one.

PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` inside the caller's transaction; rows
another process holds are skipped, and a crash releases them with the rollback.
SQLite: one ``UPDATE ... WHERE id IN (<the due ids>) RETURNING id`` that stamps a claim
token is the transaction's first statement, so it takes the database's write
lock before anything is read; a second process waits for the first to commit, then finds the
rows done.

The outbox dispatcher claims differently, on purpose: it sends over the network after its
transaction ends, so it cannot hold a lock while it works; it takes a lease instead
(``claimed_until``), which a crashed process gives back when it runs out. The rows claimed here
are finished inside the claiming transaction, so the transaction itself is the lease.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from backend.db.dialect import is_postgres
from backend.db.models import Base

Row = TypeVar("Row", bound=Base)


async def claim_due(
    session: AsyncSession,
    model: type[Row],
    *,
    due: ColumnElement[bool],
    order_by: InstrumentedAttribute[Any],
    limit: int,
) -> list[Row]:
    """Claim at most ``limit`` rows matching ``due``, oldest first, for this transaction.

    The model needs ``id`` and ``claim_token`` columns. Call it first in the transaction.
    """
    ident: InstrumentedAttribute[Any] = model.id  # type: ignore[attr-defined]
    if is_postgres(session):
        rows = await session.scalars(
            select(model)
            .where(due)
            .order_by(order_by, ident)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows)
    token = str(uuid.uuid4())
    candidates = select(ident).where(due).order_by(order_by, ident).limit(limit)
    # One statement under SQLite's write lock: the subquery cannot see a row another process
    # is changing, so the outer WHERE needs only the ids (and so uses the primary key).
    claimed = await session.execute(
        update(model)
        .where(ident.in_(candidates.scalar_subquery()))
        .values(claim_token=token)
        .returning(ident)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars())
    if not ids:
        return []
    rows = await session.scalars(
        select(model)
        .where(ident.in_(ids))
        .order_by(order_by, ident)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def lock_for_write(session: AsyncSession, model: type[Row], row_id: int) -> Row | None:
    """One row, locked against concurrent writers until the transaction ends.

    On SQLite a no-op ``UPDATE`` takes the write lock first, so a read-then-write (counting
    seats, then enrolling) cannot interleave with another process's.
    """
    ident: InstrumentedAttribute[Any] = model.id  # type: ignore[attr-defined]
    if is_postgres(session):
        return await session.scalar(
            select(model)
            .where(ident == row_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    await session.execute(
        update(model)
        .where(ident == row_id)
        .values({ident.key: ident})
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(
        select(model).where(ident == row_id).execution_options(populate_existing=True)
    )
