"""Delivery statuses from WhatsApp's webhooks, recorded on the outbox row they are about.

Meta may deliver them late, twice or out of order, so the status only moves forward:
``sent`` < ``failed`` < ``delivered`` < ``read``. A late ``sent`` never overwrites ``read``, a
repeated status changes nothing, and ``delivered`` after ``failed`` wins (another of the
person's devices got it). A failure keeps Meta's code and reason in ``last_error``; a failure
with 131047 (the 24-hour window had closed) queues the message again as a template.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.channels.whatsapp.window import AS_TEMPLATE
from backend.conversations.models import OutboxMessage
from bot.whatsapp.client import RE_ENGAGEMENT
from bot.whatsapp.inbound import StatusUpdate

logger = logging.getLogger(__name__)

ORDER = {"sent": 1, "failed": 2, "delivered": 3, "read": 4}


async def record_statuses(
    sessions: async_sessionmaker[AsyncSession], updates: Sequence[StatusUpdate], *, now: datetime
) -> int:
    """Apply each status that moves its message forward; returns how many did."""
    applied = 0
    for status in updates:
        async with sessions() as session, session.begin():
            applied += await _apply(session, status, now)
    return applied


async def _apply(session: AsyncSession, status: StatusUpdate, now: datetime) -> int:
    earlier = [name for name, rank in ORDER.items() if rank < ORDER[status.status]]
    values: dict[str, object] = {
        "delivery_status": status.status,
        "delivery_updated_at": status.timestamp or now,
    }
    if status.status == "failed":
        values["last_error"] = "; ".join(e.describe() for e in status.errors) or "failed"
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == "whatsapp",
            OutboxMessage.external_id == status.external_id,
            or_(
                OutboxMessage.delivery_status.is_(None),
                OutboxMessage.delivery_status.in_(earlier),
            ),
        )
        .values(**values)
        .returning(OutboxMessage.beneficiary_id, OutboxMessage.address, OutboxMessage.payload)
    )
    rows = result.all()
    if not rows:
        logger.debug("WhatsApp status %s changes nothing (late or repeated)", status.status)
        return 0
    if status.status == "failed":
        logger.warning("WhatsApp reports a failed delivery: %s", values["last_error"])
        if any(e.code == RE_ENGAGEMENT for e in status.errors):
            for beneficiary_id, address, payload in rows:
                if address and not payload.get(AS_TEMPLATE):
                    session.add(
                        OutboxMessage(
                            beneficiary_id=beneficiary_id,
                            channel="whatsapp",
                            address=address,
                            payload={**payload, AS_TEMPLATE: True},
                            status="queued",
                            attempts=0,
                            next_attempt_at=now,
                            scrub_after_send=False,
                            created_at=now,
                        )
                    )
    return len(rows)
