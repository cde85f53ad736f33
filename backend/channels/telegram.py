"""Telegram wiring: settings -> the chosen driver, with the backend's ``on_message`` callback.

Webhook updates arrive at ``POST /webhooks/telegram`` (backend/app/webhooks_telegram.py);
polling and webhook registration run from the channel's ``start()``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from backend.settings import Settings
from bot.base import OnMessage
from bot.telegram.channel import TelegramChannel, TelegramConfig

if TYPE_CHECKING:
    from backend.services.shared_limits import SharedLimits

#: Where Telegram POSTs updates in webhook mode, under MASSAR_PUBLIC_URL.
WEBHOOK_PATH = "/webhooks/telegram"
#: What the Bot API accepts as a webhook secret_token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def telegram_config(settings: Settings) -> TelegramConfig:
    """The channel's plain values; a setting Telegram would refuse fails here, by name."""
    if settings.telegram_token is None:
        raise ValueError("MASSAR_TELEGRAM_TOKEN is not set")
    secret = settings.telegram_webhook_secret
    secret_value = secret.get_secret_value() if secret else None
    webhook_url = None
    if settings.telegram_mode == "webhook":
        if not secret_value or not _SECRET.match(secret_value):
            raise ValueError(
                "MASSAR_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -"
            )
        if not settings.public_url or not settings.public_url.startswith("https://"):
            raise ValueError("MASSAR_PUBLIC_URL must be an https:// URL in Telegram webhook mode")
        webhook_url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    return TelegramConfig(
        token=settings.telegram_token.get_secret_value(),
        mode=settings.telegram_mode,
        api_url=settings.telegram_api_url,
        webhook_url=webhook_url,
        webhook_secret=secret_value,
        rate_per_second=settings.telegram_rate_per_second,
        chat_rate_per_second=settings.telegram_chat_rate_per_second,
        locales_dir=settings.locales_dir,
        default_language=settings.default_language,
        poll_timeout=settings.telegram_poll_timeout,
        inbound_retry_minutes=settings.inbound_retry_minutes,
    )


def build_telegram(
    settings: Settings, *, on_message: OnMessage, shared: SharedLimits | None = None
) -> TelegramChannel:
    """The channel on the driver the deployer chose; only that library is imported."""
    config = telegram_config(settings)
    limiter = None
    if shared is not None:
        limiter = shared.limiter(
            "telegram",
            per_second=settings.telegram_rate_per_second,
            per_key_per_second=settings.telegram_chat_rate_per_second,
        )
    if settings.telegram_driver == "ptb":
        from bot.telegram.ptb_driver import PtbTelegram

        return PtbTelegram(config, on_message=on_message, limiter=limiter)
    from bot.telegram.aiogram_driver import AiogramTelegram

    return AiogramTelegram(config, on_message=on_message, limiter=limiter)
