"""«More…» in a WhatsApp list: the same question again with the choices after the last shown.

The adapter keeps no state, and the page a person is looking at may be days old, so the
question is found in the outbox: the latest message to this person that offered the choice
named in the «More…» row's id. Its continuation is queued like any reply; the question's token
is in every choice id, so whichever page the person picks from, the engine understands it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.channels.whatsapp.window import AS_TEMPLATE
from backend.conversations.inbound import record_once
from backend.conversations.models import OutboxMessage
from backend.people.models import Address, Beneficiary
from bot.base import InboundEnvelope
from bot.whatsapp.inbound import CHANNEL, MoreRequest
from bot.whatsapp.render import MORE_PREFIX
from conversations.messages import Incoming

logger = logging.getLogger(__name__)
#: How far back to look for the question a «More…» row belongs to.
LOOK_BACK = 50


async def show_more(
    sessions: async_sessionmaker[AsyncSession], request: MoreRequest, *, now: datetime
) -> bool | None:
    """Queue the next choices. ``True`` when queued, ``False`` for a redelivery, ``None`` when
    the question is no longer known (the caller lets the engine answer instead)."""
    async with sessions() as session, session.begin():
        found = await _continuation(session, request)
        if found is None:
            return None
        payload, beneficiary_id = found
        envelope = InboundEnvelope(CHANNEL, request.address, request.external_id, Incoming())
        if await record_once(session, envelope, now) is None:
            return False
        if beneficiary_id is not None:
            await _wrote(session, beneficiary_id, request.address, now)
        session.add(
            OutboxMessage(
                beneficiary_id=beneficiary_id,
                channel=CHANNEL,
                address=request.address,
                payload=payload,
                status="queued",
                attempts=0,
                next_attempt_at=now,
                scrub_after_send=False,
                created_at=now,
            )
        )
    return True


async def _continuation(
    session: AsyncSession, request: MoreRequest
) -> tuple[dict[str, Any], int | None] | None:
    """The rest of the question, and whose question it was (on a number a family shares,
    the person it was asked of, not whoever else writes from it)."""
    rows = await session.execute(
        select(OutboxMessage.payload, OutboxMessage.beneficiary_id)
        .where(OutboxMessage.channel == CHANNEL, OutboxMessage.address == request.address)
        .order_by(OutboxMessage.id.desc())
        .limit(LOOK_BACK)
    )
    for payload, beneficiary_id in rows:
        choices = payload.get("choices") or []
        ids = [choice.get("id") for choice in choices]
        if request.after in ids:
            rest = choices[ids.index(request.after) + 1 :]
            kept = {k: v for k, v in payload.items() if k != AS_TEMPLATE}
            return ({**kept, "choices": rest}, beneficiary_id) if rest else None
    return None


async def _wrote(session: AsyncSession, beneficiary_id: int, address: str, now: datetime) -> None:
    """The press is a message: it keeps the person's and the number's window open."""
    await session.execute(
        update(Beneficiary).where(Beneficiary.id == beneficiary_id).values(last_inbound_at=now)
    )
    await session.execute(
        update(Address)
        .where(
            Address.beneficiary_id == beneficiary_id,
            Address.channel == CHANNEL,
            Address.address == address,
        )
        .values(last_inbound_at=now)
    )


def fallback(request: MoreRequest) -> InboundEnvelope:
    """The press as an unknown button, for when its question is gone: the engine says so and
    asks the current question."""
    incoming = Incoming(choice_id=f"{MORE_PREFIX}{request.after}")
    return InboundEnvelope(CHANNEL, request.address, request.external_id, incoming)
