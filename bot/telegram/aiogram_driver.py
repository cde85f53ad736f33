"""The Telegram channel through aiogram's Bot API client (``MASSAR_TELEGRAM_DRIVER=aiogram``).

Only aiogram's HTTP client and types are used, not its Dispatcher: routing is the engine's job,
and the shared :class:`~bot.telegram.channel.TelegramChannel` does polling and webhooks the
same way for both drivers.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    SendMessage,
    SetMyCommands,
    SetWebhook,
)
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiohttp import FormData
from aiohttp.payload import BytesPayload
from pydantic import ValidationError

from bot.base import OnMessage
from bot.ratelimit import Limiter
from bot.telegram.api import BotApiError
from bot.telegram.channel import TelegramChannel, TelegramConfig
from bot.telegram.common import InvalidUpdate, Keyboard, chat_ref
from conversations import json_codec

T = TypeVar("T")

#: HTTP status of each aiogram error; server and network errors have none (``None``).
_STATUS: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramRetryAfter, 429),
    (TelegramForbiddenError, 403),
    (TelegramUnauthorizedError, 401),
    (TelegramNotFound, 404),
    (TelegramConflictError, 409),
    (TelegramEntityTooLarge, 413),
    (TelegramMigrateToChat, 400),
    (TelegramBadRequest, 400),
)


# The methods called on every update and every reply, with their answers kept as the Bot
# API's JSON: aiogram would validate each answer into its pydantic types (a whole ``Message``
# with its chat, sender and keyboard for a send or an edit, every ``Update`` of a poll, which
# the channel then dumped back to JSON), about a third of the cost of a call, to read one id.
# The channel reads updates defensively (``to_envelope``); a webhook's body, which anyone can
# send, is still validated by aiogram's types (``parse_update``).
class _GetUpdatesJson(GetUpdates):
    __returning__ = list[dict[str, Any]]


class _SendMessageJson(SendMessage):
    __returning__ = dict[str, Any]


class _EditMessageTextJson(EditMessageText):
    __returning__ = dict[str, Any] | bool


class _EditMessageReplyMarkupJson(EditMessageReplyMarkup):
    __returning__ = dict[str, Any] | bool


#: aiogram reads every answer as ``Response[T]``, a pydantic generic class that pydantic caches
#: only weakly: each garbage collection drops it and the next call builds it again, which
#: costs milliseconds of schema work. Held here for the methods we call, each is built once.
_RESPONSES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        AnswerCallbackQuery, DeleteWebhook, _EditMessageReplyMarkupJson, _EditMessageTextJson,
        GetMe, _GetUpdatesJson, _SendMessageJson, SetMyCommands, SetWebhook,
    )
)  # fmt: skip


class _PreparedJson(dict[str, Any]):
    """A value already in the Bot API's JSON (a keyboard made by :func:`_markup`): sent as it
    is, not walked again field by field on every call."""


#: The methods called for every update and reply; all their fields are plain values (text,
#: ids, a prepared keyboard), so their body is their fields, without dumping the model first.
_FLAT_METHODS = (
    AnswerCallbackQuery, _EditMessageReplyMarkupJson, _EditMessageTextJson, _SendMessageJson
)  # fmt: skip


class _JsonBodySession(AiohttpSession):
    """aiogram's aiohttp session, sending a call that carries no file as a JSON body.

    aiogram sends every call URL-encoded, each field's JSON quoted again byte by byte: that
    was a fifth of the cost of a call. The Bot API reads a JSON body (``application/json``)
    as well as a form; a call with a file still goes as aiogram builds it (multipart)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(json_loads=json_codec.loads, json_dumps=json_codec.dumps, **kwargs)

    def build_form_data(  # type: ignore[override]  # aiohttp posts either
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> FormData | BytesPayload:
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        values = (
            vars(method)
            if isinstance(method, _FLAT_METHODS)
            else method.model_dump(warnings=False)
        )
        for key, value in values.items():
            if isinstance(value, _PreparedJson):
                fields[key] = value
                continue
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":  # what aiogram's form leaves out
                fields[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(json_codec.dumps_bytes(fields), content_type="application/json")


class AiogramApi:
    """:class:`~bot.telegram.api.BotApi` on aiogram's ``Bot`` and aiohttp session."""

    def __init__(self, config: TelegramConfig) -> None:
        session = _JsonBodySession(
            api=TelegramAPIServer.from_base(config.api_url), timeout=config.request_timeout
        )
        self._bot = Bot(config.token, session=session)
        self._request_timeout = int(config.request_timeout)

    def _request(self, method: TelegramMethod[T]) -> Awaitable[T]:
        """A call made on every update or reply, straight to the session's request: no session
        middleware is ever registered here, and wrapping the request in the (empty) chain
        again for each call was a measurable share of a call's cost."""
        return self._bot.session.make_request(self._bot, method)

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramAPIError as exc:
            status = next((s for kind, s in _STATUS if isinstance(exc, kind)), None)
            retry_after = exc.retry_after if isinstance(exc, TelegramRetryAfter) else None
            raise BotApiError(exc.message, status=status, retry_after=retry_after) from exc
        except AiogramError as exc:  # an unreadable answer from the server
            raise BotApiError(type(exc).__name__) from exc

    async def open(self) -> None:
        await self._call(self._bot.get_me())

    async def close(self) -> None:
        await self._bot.session.close()

    async def get_updates(
        self, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
    ) -> list[dict[str, Any]]:
        method = _GetUpdatesJson.model_validate(
            {"offset": offset, "timeout": poll_seconds, "allowed_updates": list(allowed_updates)}
        )
        updates: list[Any] = await self._call(
            self._bot(method, request_timeout=poll_seconds + self._request_timeout)
        )
        return [u for u in updates if isinstance(u, dict)]

    def parse_update(self, data: Mapping[str, Any]) -> dict[str, Any]:
        try:
            update = Update.model_validate(dict(data), context={"bot": self._bot})
        except ValidationError as exc:
            raise InvalidUpdate(f"not a Telegram update ({exc.error_count()} errors)") from exc
        return _dump(update)

    async def send_message(self, chat_id: str, text: str, keyboard: Keyboard | None) -> int:
        method = _SendMessageJson.model_validate({"chat_id": chat_ref(chat_id), "text": text})
        if keyboard:
            # The keyboard goes already as the Bot API's JSON (see _markup): a copy with it is
            # not validated again, it was validated by aiogram's types when it was made.
            method = method.model_copy(update={"reply_markup": _markup(_frozen(keyboard))})
        message: Any = await self._call(self._request(method))
        return _message_id(message)

    async def answer_callback_query(self, query_id: str) -> None:
        await self._call(self._request(AnswerCallbackQuery(callback_query_id=query_id)))

    async def edit_message_text(self, chat_id: str, message_id: int, text: str) -> None:
        method = _EditMessageTextJson.model_validate(
            {"text": text, "chat_id": chat_ref(chat_id), "message_id": message_id}
        )
        await self._call(self._request(method))

    async def edit_message_reply_markup(self, chat_id: str, message_id: int) -> None:
        method = _EditMessageReplyMarkupJson.model_validate(
            {"chat_id": chat_ref(chat_id), "message_id": message_id}
        )
        await self._call(self._request(method))

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
        menu = [BotCommand(command=name, description=text) for name, text in commands]
        await self._call(self._bot.set_my_commands(commands=menu, language_code=language_code))


#: A keyboard as a hashable value: rows of (label, callback data).
FrozenKeyboard = tuple[tuple[tuple[str, str], ...], ...]


def _frozen(keyboard: Keyboard) -> FrozenKeyboard:
    return tuple(tuple((b["text"], b["callback_data"]) for b in row) for row in keyboard)


@functools.lru_cache(maxsize=1024)
def _markup(keyboard: FrozenKeyboard) -> _PreparedJson:
    """The keyboard as the Bot API's ``reply_markup`` object, made once per distinct keyboard
    (shared, so never changed: the session copies it into each call's body).

    aiogram turns a keyboard model into JSON on every send by walking each field of each
    button (a dozen, nearly all empty): that was a third of the cost of a send. The same menus
    go to thousands of people, so each is validated by aiogram's types and dumped once.
    """
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in keyboard
        ]
    )
    return _PreparedJson(markup.model_dump(mode="json", exclude_none=True))


def _message_id(message: object) -> int:
    """The id of the message sent; an answer without one is unreadable, as aiogram would say."""
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if not isinstance(message_id, int):
        raise BotApiError("the answer to sendMessage has no message_id")
    return message_id


def _dump(update: Update) -> dict[str, Any]:
    """The update as the Bot API's JSON (``from``, not ``from_user``)."""
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


class AiogramTelegram(TelegramChannel):
    """The Telegram channel, driven by aiogram."""

    driver = "aiogram"

    def __init__(
        self, config: TelegramConfig, *, on_message: OnMessage, limiter: Limiter | None = None
    ) -> None:
        super().__init__(config, on_message=on_message, api=AiogramApi, limiter=limiter)
