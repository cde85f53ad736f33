"""The channels a deployment switches on, built from the settings.

Each messaging channel is a ``bot/`` adapter plus its wiring here: the backend gives it the
``on_message`` callback (the inbound service) and registers it with the dispatcher. A channel
object may also have ``start()`` and ``stop()`` coroutines (polling, ``setWebhook``...), which
the web app's lifespan calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.settings import Settings
from bot.base import OnMessage

if TYPE_CHECKING:
    from backend.conversations.shared_limits import SharedLimits


def build_channels(
    settings: Settings, *, on_message: OnMessage, shared: SharedLimits | None = None
) -> dict[str, Any]:
    """The configured channels by name: Telegram and WhatsApp when their settings are set.

    With ``shared`` (Redis), their rate limits are counted for every process together."""
    channels: dict[str, Any] = {}
    if settings.telegram_token:
        from backend.channels.telegram.build import build_telegram

        channels["telegram"] = build_telegram(settings, on_message=on_message, shared=shared)
    if settings.whatsapp_token:
        from backend.channels.whatsapp.build import build_whatsapp

        channels["whatsapp"] = build_whatsapp(settings, on_message=on_message, shared=shared)
    return channels
