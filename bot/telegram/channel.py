"""The Telegram channel, the same for both drivers: sending, polling, webhook updates.

The drivers only provide a :class:`~bot.telegram.api.BotApi`; everything a person or the
Bot API can observe (limits, splitting, buttons, retries, setup calls) is decided here once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.base import OnMessage, PartialDelivery, SendResult, TransientSendError
from bot.ratelimit import Limiter, RateLimiter
from bot.telegram.api import BotApi, BotApiError, send_error
from bot.telegram.commands import command_menus
from bot.telegram.common import (
    ALLOWED_UPDATES,
    CHANNEL,
    MAX_TEXT,
    inline_keyboard,
    pressed_label,
    split_text,
    to_envelope,
    utf16_length,
    valid_token,
)
from bot.telegram.polling import Poller
from bot.telegram.redact import protect
from conversations.bidi import for_display
from conversations.i18n import Catalogs
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)

#: What is shown under a question once one of its buttons was pressed.
PRESSED_MARK = "✅"


class TelegramSetupError(RuntimeError):
    """A value the Bot API refused; the message names the setting it came from."""


@dataclass(frozen=True)
class TelegramConfig:
    """Plain values from the backend's settings, already checked there.

    ``key_setting`` is what a refusal of the bot token calls it, so the deployer knows what to fix.
    """

    token: str = field(repr=False)
    mode: Literal["polling", "webhook"] = "polling"
    api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    rate_per_second: float = 30.0
    chat_rate_per_second: float = 1.0
    locales_dir: Path | None = None
    default_language: str = "fr"
    poll_timeout: int = 25
    request_timeout: float = 15.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    key_setting: str = "the bot token"
    inbound_retry_minutes: float = 30.0


class TelegramChannel:
    """A messaging channel on the Telegram Bot API, over one driver's :class:`BotApi`."""

    name = CHANNEL

    def __init__(
        self,
        config: TelegramConfig,
        *,
        on_message: OnMessage,
        api: Callable[[TelegramConfig], BotApi],
        limiter: Limiter | None = None,
    ) -> None:
        # Before the library logs its first URL. The half after ":" is the actual secret.
        protect(config.token, config.token.partition(":")[2], config.webhook_secret)
        if not valid_token(config.token):
            raise TelegramSetupError(
                f"{config.key_setting} does not look like a bot token (123456789:AAE...)"
            )
        self.config = config
        self._api = api(config)
        self._on_message = on_message
        self._limiter: Limiter = limiter or RateLimiter(
            per_second=config.rate_per_second, per_key_per_second=config.chat_rate_per_second
        )
        self._catalogs = Catalogs(config.locales_dir) if config.locales_dir else None
        self._poller = Poller(
            self._api,
            handle=self.handle_update,
            timeout=config.poll_timeout,
            backoff=(config.backoff_initial, config.backoff_max),
            outage_minutes=config.inbound_retry_minutes,
        )
        self._setup_task: asyncio.Task[None] | None = None
        self._stopped = False

    @property
    def webhook_mode(self) -> bool:
        """Whether updates arrive at ``POST /webhooks/telegram``."""
        return self.config.mode == "webhook"

    async def start(self) -> None:
        """Check the token, register the webhook or start polling, set the command menu.

        A refused token stops the start-up; an unreachable Bot API is retried in the background.
        """
        try:
            await self._set_up()
        except BotApiError as exc:
            if exc.unauthorized:
                raise TelegramSetupError(
                    f"{self.config.key_setting} was refused by the Bot API at "
                    f"{self.config.api_url}"
                ) from None
            logger.warning("Telegram set-up failed (%s); retrying in the background", exc)
            self._setup_task = asyncio.create_task(self._set_up_later())
        if not self.webhook_mode:
            self._poller.start()

    async def stop(self) -> None:
        """Stop polling and set-up retries, then close the HTTP session.

        The dispatcher may still be sending: from now on a send is refused as temporary (the
        message waits for the next start) rather than reopening a session nobody closes.
        """
        self._stopped = True
        await self._poller.stop()
        if self._setup_task is not None:
            self._setup_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._setup_task
        await self._api.close()

    async def _set_up(self) -> None:
        await self._api.open()
        if self.webhook_mode:
            # Settings.telegram_webhook gives both in webhook mode.
            assert self.config.webhook_url and self.config.webhook_secret  # noqa: S101
            await self._api.set_webhook(
                self.config.webhook_url,
                secret=self.config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await self._api.delete_webhook()
        if self._catalogs is not None:
            menus = command_menus(self._catalogs, self.config.default_language)
            for lang, commands in menus.items():
                await self._api.set_my_commands(
                    [(c.name, c.description) for c in commands], language_code=lang
                )

    async def _set_up_later(self) -> None:
        delay = self.config.backoff_initial
        while True:
            await asyncio.sleep(delay)
            try:
                await self._set_up()
            except BotApiError as exc:
                delay = min(delay * 2, self.config.backoff_max)
                logger.warning("Telegram set-up failed again (%s)", exc)
            else:
                logger.info("Telegram set-up done")
                return

    async def send(self, address: str, message: Outgoing) -> SendResult:
        """Deliver one message, in several parts when it is long; buttons go on the last part."""
        return await self.send_from(address, message, parts_done=0, last_id=None)

    async def send_from(
        self, address: str, message: Outgoing, *, parts_done: int, last_id: str | None
    ) -> SendResult:
        """Deliver the parts of ``message`` after the first ``parts_done``.

        When a part fails after others went out, :class:`PartialDelivery` says how many did;
        the outbox records it, so a retry (in this process or another, after a restart) does
        not send them again.
        """
        if self._stopped:
            raise TransientSendError("the Telegram channel is stopping", code="stopped")
        message = for_display(message)
        parts = split_text(message.text)
        keyboard = inline_keyboard(message.choices) or None
        message_id = int(last_id) if last_id and last_id.isdigit() else 0
        for index in range(min(parts_done, len(parts) - 1), len(parts)):
            last = index == len(parts) - 1
            await self._limiter.wait(address)
            try:
                message_id = await self._api.send_message(
                    address, parts[index], keyboard if last else None
                )
            except BotApiError as exc:
                error = send_error(exc)
                if index > 0 and isinstance(error, TransientSendError):
                    raise PartialDelivery(
                        error.reason,
                        parts_done=index,
                        last_id=str(message_id) if message_id else None,
                        code=error.code,
                        retry_after=error.retry_after,
                    ) from exc
                raise error from exc
        return SendResult(external_id=str(message_id) if message_id else None)

    async def feed_webhook_update(self, data: Mapping[str, Any]) -> None:
        """Handle one update POSTed by Telegram; ``InvalidUpdate`` if it is not one."""
        await self.handle_update(self._api.parse_update(data))

    async def handle_update(self, update: Mapping[str, Any]) -> None:
        """Answer a button press at once, and hand the message to the backend meanwhile.

        The acknowledgement is two Bot API calls the turn does not need: made alongside it,
        they no longer stand between a press and its answer. The reply is queued by the turn
        and sent by the dispatcher, so it still comes after the press was marked in practice;
        when it does not, only the mark on the old question comes a moment later."""
        envelope = to_envelope(update)
        query = update.get("callback_query")
        acknowledging = (
            asyncio.create_task(self._acknowledge(query)) if isinstance(query, Mapping) else None
        )
        try:
            if envelope is None:
                logger.debug("Telegram update %s needs no answer", update.get("update_id"))
                return
            await self._on_message(envelope)
        finally:
            if acknowledging is not None:
                await acknowledging

    async def _acknowledge(self, query: Mapping[str, Any]) -> None:
        """Stop the spinner, and show under the question which button was pressed.

        Removing the buttons also keeps people from pressing an old question's buttons.
        Both calls are courtesy: a failure is logged and the press is still handled.
        """
        try:
            await self._api.answer_callback_query(str(query["id"]))
        except BotApiError as exc:
            logger.info("answerCallbackQuery failed: %s", exc)
        message = query.get("message") or {}
        label = pressed_label(message, str(query.get("data") or ""))
        text = message.get("text")
        if label is None or not isinstance(text, str):
            return
        chat_id, message_id = str(message["chat"]["id"]), int(message["message_id"])
        marked = f"{text}\n\n{PRESSED_MARK} {label}"
        await self._limiter.wait()
        try:
            if utf16_length(marked) <= MAX_TEXT:
                await self._api.edit_message_text(chat_id, message_id, marked)
            else:
                await self._api.edit_message_reply_markup(chat_id, message_id)
        except BotApiError as exc:
            logger.info("marking the pressed button failed: %s", exc)
