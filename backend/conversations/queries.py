"""Reading the outbox: what staff see held or failed, and what a chat page fetches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.db.paging import page_of
from backend.people.models import Address
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
) -> list[tuple[int, dict[str, Any], datetime | None]]:
    """Id, payload and time of the messages sent to ``address`` after id ``after``, oldest
    first, plus those in ``also`` (this post's replies) whatever their status, and whether or
    not they still carry an address (an erasure's confirmation loses it once sent)."""
    sent = and_(
        OutboxMessage.address == address,
        OutboxMessage.id > after,
        OutboxMessage.status == "sent",
    )
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload, OutboxMessage.created_at)
        .where(
            OutboxMessage.channel == channel,
            or_(sent, OutboxMessage.id.in_(also)) if also else sent,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [(row.id, row.payload, row.created_at) for row in rows]


async def person_at(session: AsyncSession, *, channel: str, address: str) -> int | None:
    """The id of the person writing from ``address`` on ``channel`` (on a shared one, whoever
    said "it's me" last), if anyone still does: their address row says so, wherever their
    other messages go."""
    found: int | None = await session.scalar(
        select(Address.beneficiary_id)
        .where(Address.channel == channel, Address.address == address)
        .order_by(Address.chosen_at.desc().nulls_last(), Address.slot)
        .limit(1)
    )
    return found


async def own_messages(
    session: AsyncSession, *, beneficiary_id: int, limit: int
) -> list[tuple[int, str, datetime | None]]:
    """What the person wrote and we kept (only with consent), oldest first."""
    rows = await session.execute(
        select(InboundMessage.id, InboundMessage.text, InboundMessage.received_at)
        .where(InboundMessage.beneficiary_id == beneficiary_id, InboundMessage.text.is_not(None))
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    return [(row.id, row.text or "", row.received_at) for row in rows]
