"""WhatsApp wiring: settings -> the Cloud API adapter, and the 24-hour window policy.

Webhooks arrive at ``GET``/``POST /webhooks/whatsapp`` (backend/channels/whatsapp/webhook.py); the
dispatcher sends through :class:`~backend.channels.whatsapp.window.WhatsAppWindow`, which
decides between a free-form message, a template, or holding the message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.channels.whatsapp.templates import load_templates
from backend.channels.whatsapp.window import WhatsAppWindow
from backend.settings import Settings
from bot.base import OnMessage
from bot.whatsapp.adapter import WhatsAppAdapter
from bot.whatsapp.client import GraphClient
from conversations.i18n import Catalogs

if TYPE_CHECKING:
    from backend.conversations.shared_limits import SharedLimits


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    if not text:
        raise ValueError(f"MASSAR_{name.upper()} is required when WhatsApp is enabled")
    return str(text)


def build_whatsapp(
    settings: Settings, *, on_message: OnMessage, shared: SharedLimits | None = None
) -> WhatsAppAdapter:
    """The adapter for the configured phone number; its HTTP pool opens on first use."""
    client = GraphClient(
        api_url=settings.whatsapp_api_url,
        phone_number_id=_secret(settings, "whatsapp_phone_number_id"),
        token=_secret(settings, "whatsapp_token"),
        rate_per_second=settings.whatsapp_rate_per_second,
        limiter=shared.limiter("whatsapp", per_second=settings.whatsapp_rate_per_second)
        if shared is not None
        else None,
    )
    return WhatsAppAdapter(
        client=client,
        catalogs=Catalogs(settings.locales_dir),
        app_secret=_secret(settings, "whatsapp_app_secret"),
        verify_token=_secret(settings, "whatsapp_verify_token"),
        on_message=on_message,
    )


def build_whatsapp_window(
    settings: Settings,
    adapter: WhatsAppAdapter,
    *,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
) -> WhatsAppWindow:
    """The dispatcher's policy for WhatsApp; the templates file is checked here, at start."""
    return WhatsAppWindow(
        adapter=adapter,
        session_factory=session_factory,
        templates=load_templates(settings.whatsapp_templates),
        clock=clock,
    )
