"""Console adapter: prints replies with numbered choices; typed numbers pick them."""

from __future__ import annotations

from typing import TextIO

from bot.base import SendResult
from conversations.messages import Outgoing

CHANNEL = "console"


def render_text(message: Outgoing) -> str:
    """A reply as terminal text: the message, then its choices numbered from 1."""
    lines = [message.text]
    lines.extend(f"  {index}. {choice.label}" for index, choice in enumerate(message.choices, 1))
    return "\n".join(lines)


class ConsoleAdapter:
    """Writes each message to a text stream."""

    name = CHANNEL

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    async def send(self, address: str, message: Outgoing) -> SendResult:
        self._stream.write(render_text(message) + "\n\n")
        self._stream.flush()
        return SendResult()
