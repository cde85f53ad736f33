"""Web chat adapter: the page pulls its messages, so sending makes a message available.

The browser keeps a random session id (a UUID it generated) as its address, and gives each
message it posts a UUID too, so a retried POST is recognised as the same message.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.base import InboundEnvelope, SendResult
from conversations.bidi import for_display
from conversations.messages import Incoming, Outgoing

CHANNEL = "webchat"
#: Longest text accepted from the page; the engine answers longer texts politely anyway.
MAX_TEXT_LENGTH = 10_000


class WebChatPost(BaseModel):
    """A message posted by the page."""

    model_config = ConfigDict(extra="forbid")

    session: str = Field(description="The browser's random session id (UUID).")
    message_id: str = Field(
        description="A UUID for this message, reused when the post is retried."
    )
    text: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    choice_id: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=35)
    start: str | None = Field(default=None, max_length=64, description="A deep-link payload.")
    after: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Return the messages after this id."
    )
    label: str | None = Field(
        default=None, max_length=200, description="The label of the button pressed, as shown."
    )

    @field_validator("session", "message_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        return str(uuid.UUID(value))


def to_envelope(post: WebChatPost) -> InboundEnvelope:
    """The page's post as a channel-neutral message."""
    return InboundEnvelope(
        channel=CHANNEL,
        address=post.session,
        external_id=post.message_id,
        incoming=Incoming(
            text=post.text,
            choice_id=post.choice_id,
            language_hint=post.language,
            start_payload=post.start,
        ),
        shown=post.label if post.choice_id else None,
    )


def render(message_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """An outbox message as the page draws it (left-to-right runs isolated in Arabic; the page
    shows each isolated run as a ``<bdi>``)."""
    outgoing = for_display(Outgoing.from_payload(payload))
    return {
        "id": message_id,
        "text": outgoing.text,
        "dir": outgoing.direction,
        "lang": outgoing.language,
        "choices": [{"id": c.id, "label": c.label} for c in outgoing.choices],
    }


def render_mine(inbound_id: int, text: str) -> dict[str, Any]:
    """One of the person's own messages, for the restored transcript."""
    return {"id": f"in-{inbound_id}", "mine": True, "text": text, "dir": "auto", "choices": []}


class WebChatAdapter:
    """Delivery is the page fetching the message; sending only marks it available."""

    name = CHANNEL

    async def send(self, address: str, message: Outgoing) -> SendResult:
        return SendResult()
