"""The few Bot API calls the channel makes, as a Protocol each driver implements.

A driver turns its library's exceptions into :class:`BotApiError` (the HTTP status and the
server's description), and :func:`send_error` turns that into what the outbox dispatcher
understands, the same way for both libraries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.base import PermanentSendError, SendError, TransientSendError
from bot.telegram.common import Keyboard
from bot.telegram.redact import REDACTOR

#: Descriptions that mean the chat is gone for good, whatever the status says.
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked")


class BotApiError(Exception):
    """A failed Bot API call: ``status`` is ``None`` for a network error or a timeout."""

    def __init__(
        self, description: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.description = clean_description(description)
        super().__init__(self.description)
        self.status = status
        self.retry_after = retry_after

    @property
    def unauthorized(self) -> bool:
        """The token was refused: a deployer's error, not a passing one."""
        return self.status in (401, 404)


def clean_description(description: str) -> str:
    """The server's description, without the token, normalised the way PTB does it.

    aiogram keeps ``Bad Request: chat not found`` where PTB says ``Chat not found``; applying
    PTB's rule to both makes the drivers record the same reason.
    """
    text = REDACTOR.redact(description.strip())
    stripped = text
    for prefix in ("Error: ", "[Error]: ", "Bad Request: "):
        stripped = stripped.removeprefix(prefix)
    return stripped.capitalize() if stripped != text else text


def send_error(error: BotApiError) -> SendError:
    """What the dispatcher should do about a failed send.

    429 waits ``retry_after``; 5xx, network errors and a refused token are retried with backoff
    (a deployer can fix the token without losing the queue); 403 and a vanished chat mark the
    person unreachable; any other 4xx fails that one message.
    """
    status, reason = error.status, error.description
    if status == 429:
        wait = error.retry_after or 1.0
        return TransientSendError(
            f"Too many requests: retry after {wait:g} s", code="429", retry_after=wait
        )
    if status is None or status >= 500 or error.unauthorized:
        return TransientSendError(reason, code="unavailable" if status is None else str(status))
    if status == 403 or any(gone in reason.lower() for gone in _GONE):
        return PermanentSendError(reason, code=str(status), unreachable=True)
    return PermanentSendError(reason, code=str(status))


class BotApi(Protocol):
    """What the channel needs from a Bot API client library."""

    async def open(self) -> None:
        """Check the token with ``getMe``."""
        ...

    async def close(self) -> None:
        """Release the HTTP session."""
        ...

    async def get_updates(
        self, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Long-poll for updates, each returned as Bot API JSON."""
        ...

    def parse_update(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a webhook body with the library; raise ``InvalidUpdate`` if it is not one."""
        ...

    async def send_message(self, chat_id: str, text: str, keyboard: Keyboard | None) -> int:
        """Send a plain-text message; return its ``message_id``."""
        ...

    async def answer_callback_query(self, query_id: str) -> None:
        """Stop the button's spinner."""
        ...

    async def edit_message_text(self, chat_id: str, message_id: int, text: str) -> None:
        """Replace a message's text, dropping its inline keyboard."""
        ...

    async def edit_message_reply_markup(self, chat_id: str, message_id: int) -> None:
        """Drop a message's inline keyboard."""
        ...

    async def set_webhook(self, url: str, *, secret: str, allowed_updates: Sequence[str]) -> None:
        """Ask Telegram to POST updates to ``url`` with the secret header."""
        ...

    async def delete_webhook(self) -> None:
        """Go back to getUpdates."""
        ...

    async def set_my_commands(
        self, commands: Sequence[tuple[str, str]], language_code: str | None
    ) -> None:
        """Set the command menu for one language (``None``: the default)."""
        ...
