"""Telegram wiring: settings -> the chosen driver, with the backend's ``on_message`` callback.

Webhook updates arrive at ``POST /webhooks/telegram`` (``backend/channels/telegram/webhook.py``);
polling and webhook registration run from the channel's ``start()``. The settings are checked
in ``Settings``; this only hands the channel their plain values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.settings import Settings
from bot.base import OnMessage
from bot.telegram.channel import TelegramChannel, TelegramConfig

if TYPE_CHECKING:
    from backend.conversations.shared_limits import SharedLimits


def telegram_config(settings: Settings) -> TelegramConfig:
    """The channel's plain values; a setting Telegram would refuse fails here, by name."""
    if settings.telegram_token is None:
        raise ValueError("MASSAR_TELEGRAM_TOKEN is not set")
    webhook = settings.telegram_webhook()
    return TelegramConfig(
        token=settings.telegram_token.get_secret_value(),
        mode=settings.telegram_mode,
        api_url=settings.telegram_api_url,
        webhook_url=webhook[0] if webhook else None,
        webhook_secret=webhook[1] if webhook else None,
        key_setting="MASSAR_TELEGRAM_TOKEN",
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
