"""A channel adapter that records what it sends and fails on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.base import SendError, SendResult
from conversations.messages import Outgoing


@dataclass
class RecordingAdapter:
    """Keeps every delivered message; raises the queued errors first."""

    name: str = "test"
    sent: list[tuple[str, Outgoing]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    attempts: int = 0

    async def send(self, address: str, message: Outgoing) -> SendResult:
        self.attempts += 1
        if self.errors:
            error = self.errors.pop(0)
            raise error
        self.sent.append((address, message))
        return SendResult(external_id=f"ext-{len(self.sent)}")


def transient_error() -> SendError:
    from bot.base import TransientSendError

    return TransientSendError("server error", code="502")
