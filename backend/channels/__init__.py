"""The channels a deployment switches on, built from the settings.

Each messaging channel is a ``bot/`` adapter plus its wiring here: the backend gives it the
``on_message`` callback (the inbound service) and registers it with the dispatcher. A channel
object may also have ``start()`` and ``stop()`` coroutines (polling, ``setWebhook``...), which
the web app's lifespan calls.
"""

from __future__ import annotations

from typing import Any

from backend.settings import Settings
from bot.base import OnMessage


def build_channels(settings: Settings, *, on_message: OnMessage) -> dict[str, Any]:
    """The configured channels by name: Telegram and WhatsApp when their settings are set."""
    channels: dict[str, Any] = {}
    if settings.telegram_token:
        from backend.channels.telegram.build import build_telegram

        channels["telegram"] = build_telegram(settings, on_message=on_message)
    if settings.whatsapp_token:
        from backend.channels.whatsapp.build import build_whatsapp

        channels["whatsapp"] = build_whatsapp(settings, on_message=on_message)
    return channels
