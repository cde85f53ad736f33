"""The Telegram channel through python-telegram-bot's ``Bot`` (``MASSAR_TELEGRAM_DRIVER=ptb``).

Only PTB's HTTP client and types are used, not its ``Application``: routing is the engine's
job, and the shared :class:`~bot.telegram.channel.TelegramChannel` does polling and webhooks
the same way for both drivers.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.base import OnMessage
from bot.ratelimit import Limiter
from bot.telegram.api import BotApiError
from bot.telegram.channel import TelegramChannel, TelegramConfig
from bot.telegram.common import InvalidUpdate, Keyboard, chat_ref

T = TypeVar("T")

# Time periods as timedelta, PTB's announced default: no deprecation warning on every 429.
# PTB reads the variable when a period is used, so setting it after the import is enough.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# getUpdates goes through ``do_api_request`` on purpose (see ``PtbApi.get_updates``); PTB
# suggests its typed method for it on every call, which would be a warning every poll.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.getUpdates' instead of 'Bot\.do_api_request",
    category=PTBUserWarning,
)

#: HTTP status of each PTB error. Server and network errors have none (``None``): PTB reports
#: both as ``NetworkError`` (of which ``BadRequest`` is a subclass, hence the order).
_STATUS: tuple[tuple[type[TelegramError], int], ...] = (
    (RetryAfter, 429),
    (Forbidden, 403),
    (InvalidToken, 401),
    (Conflict, 409),
    (ChatMigrated, 400),
    (BadRequest, 400),
)


class PtbApi:
    """:class:`~bot.telegram.api.BotApi` on PTB's ``Bot`` and httpx."""

    def __init__(self, config: TelegramConfig) -> None:
        base = config.api_url.rstrip("/")
        timeout = config.request_timeout
        self._request_timeout = float(timeout)
        self._bot = Bot(
            config.token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(read_timeout=timeout, connect_timeout=timeout),
            get_updates_request=HTTPXRequest(
                connection_pool_size=1, read_timeout=timeout, connect_timeout=timeout
            ),
        )

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramError as exc:
            status = next((s for kind, s in _STATUS if isinstance(exc, kind)), None)
            retry_after = None
            if isinstance(exc, RetryAfter):
                period = exc.retry_after
                seconds = period.total_seconds() if isinstance(period, dt.timedelta) else period
                retry_after = float(seconds)
            raise BotApiError(exc.message, status=status, retry_after=retry_after) from exc

    async def open(self) -> None:
        await self._call(self._bot.initialize())

    async def close(self) -> None:
        await self._bot.shutdown()

    async def get_updates(
        self, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
    ) -> list[dict[str, Any]]:
        # The answer stays the Bot API's JSON: python-telegram-bot's own ``get_updates`` turns
        # the whole batch into ``Update`` objects and raises if one of them does not fit its
        # types (a newer Bot API, say), which would stop polling at that batch for good. The
        # channel reads each update defensively and skips one it cannot read.
        updates = await self._call(
            self._bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "timeout": poll_seconds,
                    "allowed_updates": list(allowed_updates),
                },
                read_timeout=poll_seconds + self._request_timeout,
            )
        )
        return [u for u in updates or [] if isinstance(u, dict)]

    def parse_update(self, data: Mapping[str, Any]) -> dict[str, Any]:
        try:
            update = Update.de_json(dict(data), self._bot)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidUpdate(f"not a Telegram update ({type(exc).__name__})") from exc
        return update.to_dict()

    async def send_message(self, chat_id: str, text: str, keyboard: Keyboard | None) -> int:
        markup = _markup(keyboard) if keyboard else None
        message = await self._call(
            self._bot.send_message(chat_id=chat_ref(chat_id), text=text, reply_markup=markup)
        )
        return message.message_id

    async def answer_callback_query(self, query_id: str) -> None:
        await self._call(self._bot.answer_callback_query(callback_query_id=query_id))

    async def edit_message_text(self, chat_id: str, message_id: int, text: str) -> None:
        await self._call(
            self._bot.edit_message_text(
                text=text, chat_id=chat_ref(chat_id), message_id=message_id
            )
        )

    async def edit_message_reply_markup(self, chat_id: str, message_id: int) -> None:
        await self._call(
            self._bot.edit_message_reply_markup(chat_id=chat_ref(chat_id), message_id=message_id)
        )

    async def set_webhook(self, url: str, *, secret: str, allowed_updates: Sequence[str]) -> None:
        await self._call(
            self._bot.set_webhook(
                url=url, secret_token=secret, allowed_updates=list(allowed_updates)
            )
        )

    async def delete_webhook(self) -> None:
        await self._call(self._bot.delete_webhook(drop_pending_updates=False))

    async def set_my_commands(
        self, commands: Sequence[tuple[str, str]], language_code: str | None
    ) -> None:
        menu = [BotCommand(name, text) for name, text in commands]
        await self._call(self._bot.set_my_commands(commands=menu, language_code=language_code))


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
        for row in keyboard
    ]
    return InlineKeyboardMarkup(rows)


class PtbTelegram(TelegramChannel):
    """The Telegram channel, driven by python-telegram-bot."""

    driver = "ptb"

    def __init__(
        self, config: TelegramConfig, *, on_message: OnMessage, limiter: Limiter | None = None
    ) -> None:
        super().__init__(config, on_message=on_message, api=PtbApi, limiter=limiter)
