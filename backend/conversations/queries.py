"""Reading the outbox: what staff see held or failed, and what a chat page fetches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.conversations.models import OutboxMessage
from backend.db.paging import page_of
from backend.staff.scope import visible
from backend.staff.service import Principal


async def undelivered(
    session: AsyncSession, *, principal: Principal, status: str, limit: int, offset: int
) -> tuple[list[OutboxMessage], int]:
    """Messages in ``status`` to people who applied to the principal's programs (admins:
    everyone), newest first."""
    query = select(OutboxMessage).where(OutboxMessage.status == status)
    if not principal.is_admin:
        query = query.where(
            exists().where(
                Application.beneficiary_id == OutboxMessage.beneficiary_id,
                visible(principal, Application.program),
            )
        )
    return await page_of(
        session, query, order_by=(OutboxMessage.id.desc(),), limit=limit, offset=offset
    )


async def sent_to(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    after: int,
    also: Sequence[int] = (),
    limit: int,
) -> list[tuple[int, dict[str, Any]]]:
    """Id and payload of the messages sent to ``address`` after id ``after``, oldest first,
    plus those in ``also`` (replies that carry no address any more, after an erasure)."""
    mine = and_(OutboxMessage.address == address, OutboxMessage.id > after)
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == "sent",
            or_(mine, OutboxMessage.id.in_(also)) if also else mine,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [(row.id, row.payload) for row in rows]
