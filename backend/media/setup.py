"""The media worker built from the settings: one fetcher per channel switched on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.base import utcnow
from backend.media.fetchers import Fetcher, TelegramFetcher, WhatsAppFetcher
from backend.media.worker import MediaRules, MediaWorker
from backend.settings import Settings


def build_media_worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Callable[[], datetime] = utcnow,
) -> MediaWorker:
    """The worker, with the settings' folder, size limit and allowed types."""
    fetchers: dict[str, Fetcher] = {}
    if settings.telegram_token:
        fetchers["telegram"] = TelegramFetcher(
            api_url=settings.telegram_api_url, token=settings.telegram_token.get_secret_value()
        )
    if settings.whatsapp_token:
        fetchers["whatsapp"] = WhatsAppFetcher(
            api_url=settings.whatsapp_api_url, token=settings.whatsapp_token.get_secret_value()
        )
    rules = MediaRules(
        data_dir=settings.data_dir,
        max_bytes=settings.media_max_bytes,
        types=settings.media_type_set,
        max_attempts=settings.media_max_attempts,
    )
    return MediaWorker(session_factory=sessions, fetchers=fetchers, rules=rules, clock=clock)
