"""A channel's say in how an outbox message goes out, for the dispatcher.

Most channels send every message as it is. WhatsApp may not: outside the 24-hour window only an
approved template may go, and with none configured the message must wait for staff. A policy
wraps the channel's adapter to decide; it raises :class:`HeldMessage` to keep a message back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.base import SendResult
from conversations.messages import Outgoing


class HeldMessage(Exception):
    """Not sent and not retried: kept with status ``held`` and the reason, visible to staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendPolicy(Protocol):
    """Sends one outbox message on a channel, its own way."""

    async def send(
        self,
        message: Outgoing,
        *,
        address: str,
        beneficiary_id: int | None,
        payload: Mapping[str, Any],
    ) -> SendResult:
        """Deliver ``message`` (``payload`` is the outbox row's), or raise a send error or
        :class:`HeldMessage`."""
        ...
