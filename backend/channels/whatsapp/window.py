"""WhatsApp's 24-hour customer-service window, as the dispatcher's send policy for WhatsApp.

Inside the window (the person wrote less than 24 hours ago) a message goes as itself. Outside
it, WhatsApp accepts only an approved template: the message goes inside the template configured
for its kind and language. With none, it is held (outbox status ``held``, the reason in
``last_error``, a warning in the log) for staff to see, and queued again as soon as the person
writes (:func:`release_held`). WhatsApp is the judge of the window, not our clock: when it
answers 131047 the message is sent as a template all the same, and a 131047 reported later in a
``failed`` status queues a template copy (:mod:`backend.channels.whatsapp.status`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.channels.whatsapp.templates import SETTING, Templates
from backend.conversations.models import OutboxMessage
from backend.conversations.send_policy import HeldMessage
from backend.db.base import utcnow
from backend.people.models import Address
from bot.base import SendResult
from bot.whatsapp.adapter import WhatsAppAdapter
from bot.whatsapp.client import ReEngagementRequired
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
#: Sent this close to the end, a message could arrive after it: use the template already.
MARGIN = timedelta(minutes=5)
#: Set in an outbox payload to send it as a template whatever our clock says.
AS_TEMPLATE = "whatsapp_template"


def last_message_from(address: str) -> Select[datetime | None]:
    """When anyone last wrote from this WhatsApp number."""
    return select(func.max(Address.last_inbound_at)).where(
        Address.channel == "whatsapp", Address.address == address
    )


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form message sent ``now`` falls inside the 24-hour window (with the
    margin); staff see the same answer in the console before they reply."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW - MARGIN


class WhatsAppWindow:
    """Sends WhatsApp messages as themselves or as templates, or holds them."""

    def __init__(
        self,
        *,
        adapter: WhatsAppAdapter,
        session_factory: async_sessionmaker[AsyncSession],
        templates: Templates,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._adapter = adapter
        self._sessions = session_factory
        self._templates = templates
        self._clock = clock

    async def send(
        self,
        message: Outgoing,
        *,
        address: str,
        beneficiary_id: int | None,
        payload: Mapping[str, Any],
    ) -> SendResult:
        """Send inside the window, else as a template, else raise :class:`HeldMessage`."""
        if not payload.get(AS_TEMPLATE) and await self.inside(beneficiary_id, address):
            try:
                return await self._adapter.send(address, message)
            except ReEngagementRequired:
                logger.info("WhatsApp says the 24-hour window is closed; sending a template")
        return await self.send_template(message, address=address)

    async def inside(self, beneficiary_id: int | None, address: str) -> bool:
        """Whether this number wrote recently enough for a free-form message.

        The window is the number's, not the person's: a person who wrote on Telegram a
        minute ago but on WhatsApp last week is outside it, and on a number a family shares
        anyone's message opens it. A message with no person (an erasure's confirmation, "who
        is writing?") answers one just received.
        """
        if beneficiary_id is None:
            return True
        async with self._sessions() as session:
            last = await session.scalar(last_message_from(address))
        return window_open(last, self._clock())

    async def send_template(self, message: Outgoing, *, address: str) -> SendResult:
        """Send ``message`` in its template, or hold it when there is none."""
        template = self._templates.find(message.kind, message.language)
        if template is None:
            reason = (
                f"outside WhatsApp's 24-hour window and no template for kind "
                f"'{message.kind}' in '{message.language}' ({SETTING}); held until the "
                f"person writes again"
            )
            raise HeldMessage(reason)
        return await self._adapter.send_template(address, template, message.text)


async def release_held(
    sessions: async_sessionmaker[AsyncSession], *, address: str, now: datetime
) -> int:
    """Queue again the messages held for ``address``: they wrote, the window is open."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == "whatsapp",
                OutboxMessage.address == address,
                OutboxMessage.status == "held",
            )
            .values(status="queued", next_attempt_at=now, last_error=None)
        )
    released = int(getattr(result, "rowcount", 0) or 0)
    if released:
        logger.info("%s held WhatsApp message(s) queued again", released)
    return released
