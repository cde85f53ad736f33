"""The adapter interface every channel implements.

A channel does two things:

* **Inbound.** It turns a native update into an :class:`InboundEnvelope` and awaits the
  ``on_message`` callback it was given; the backend records, dedupes and answers it. The
  adapter never talks to the database.
* **Outbound.** :meth:`ChannelAdapter.send` delivers one :class:`~conversations.messages.Outgoing`
  to an address and returns a :class:`SendResult`, or raises :class:`TransientSendError`
  (try again later, maybe after ``retry_after`` seconds) or :class:`PermanentSendError`
  (give up and keep the reason visible). The outbox dispatcher records which.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from conversations.messages import Incoming, Outgoing


@dataclass(frozen=True)
class InboundEnvelope:
    """An incoming message with where it came from.

    ``external_id`` is the channel's own id for this message (Telegram ``update_id``,
    WhatsApp ``wamid``...): a second delivery with the same id is ignored.
    """

    channel: str
    address: str
    external_id: str
    incoming: Incoming
    #: The label of the button pressed, as the person saw it, so their transcript shows it.
    shown: str | None = None


@dataclass(frozen=True)
class SendResult:
    """A message the channel accepted, with the channel's id for it when there is one."""

    external_id: str | None = None


class SendError(Exception):
    """A message the channel did not take."""

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientSendError(SendError):
    """Worth retrying: a rate limit, a 5xx, a network error."""

    def __init__(
        self, reason: str, *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Not worth retrying: a blocked bot, an unknown chat, a rejected message.

    ``unreachable`` is true when the person can no longer be reached at all on this channel.
    """

    def __init__(self, reason: str, *, code: str | None = None, unreachable: bool = False) -> None:
        super().__init__(reason, code=code)
        self.unreachable = unreachable


class Unavailable(Exception):
    """Our side cannot handle an update now (the database or the network is down), through no
    fault of the update: try it again later, without counting it against the update."""


class PartialDelivery(TransientSendError):
    """A long message failed after ``parts_done`` of its parts went out; the outbox keeps the
    count, and the next attempt starts at the first part not delivered."""

    def __init__(
        self,
        reason: str,
        *,
        parts_done: int,
        last_id: str | None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason, code=code, retry_after=retry_after)
        self.parts_done = parts_done
        self.last_id = last_id


@runtime_checkable
class ResumableAdapter(Protocol):
    """A channel that can continue a long message from a part already delivered."""

    async def send_from(
        self, address: str, message: Outgoing, *, parts_done: int, last_id: str | None
    ) -> SendResult:
        """Deliver the parts after the first ``parts_done``."""
        ...


OnMessage = Callable[[InboundEnvelope], Awaitable[None]]


@runtime_checkable
class ChannelAdapter(Protocol):
    """What the backend needs from a channel."""

    #: The channel's name in the database (``webchat``, ``console``, ``telegram``...).
    name: str

    async def send(self, address: str, message: Outgoing) -> SendResult:
        """Deliver one message, or raise a :class:`SendError`."""
        ...
