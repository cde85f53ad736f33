"""The composition root: from Settings to a running engine, inbound service and dispatcher.

Settings are read here and passed down as plain values; nothing below ``backend`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.channels import build_channels
from backend.conversations.dispatcher import Dispatcher
from backend.conversations.inbound import InboundService
from backend.conversations.outage import is_outage
from backend.conversations.store_linking import WHATSAPP_CODES_KEY
from backend.db.base import utcnow
from backend.db.session import make_engine, make_session_factory
from backend.db.write_turns import write_turns_info
from backend.media.files import MEDIA_DIR_KEY
from backend.media.setup import build_media_worker
from backend.media.worker import MediaWorker
from backend.people.wipe import Wiper
from backend.reminders.policy import SESSION_KEY, ReminderPolicy
from backend.settings import Settings
from bot.base import ChannelAdapter, InboundEnvelope, OnMessage, Unavailable
from bot.webchat.adapter import WebChatAdapter
from conversations.content_loader import Content, load_content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.office_hours import OfficeHours

if TYPE_CHECKING:
    from backend.conversations.shared_limits import SharedLimits


@dataclass
class Runtime:
    """Everything a process needs to answer people, built once at start-up."""

    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    content: Content
    engine: Engine
    inbound: InboundService
    dispatcher: Dispatcher
    channels: dict[str, Any] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    wiper: Wiper | None = None
    media: MediaWorker | None = None
    shared: SharedLimits | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        extra_adapters: tuple[ChannelAdapter, ...] = (),
        raise_errors: bool = False,
    ) -> Runtime:
        """Load content and catalogs, connect the database, wire the services."""
        content = load_content(settings.content_dir)
        engine = Engine(
            content=content,
            catalogs=Catalogs(settings.locales_dir),
            default_language=settings.default_language,
            resume_after=timedelta(hours=settings.resume_after_hours),
            office_hours=OfficeHours.parse(settings.office_hours),
            zone=settings.zone,
            people=settings.people,
            handoff_wait=timedelta(hours=settings.handoff_wait_hours),
            raise_errors=raise_errors,
        )
        db = make_engine(settings.database_url)
        sessions = make_session_factory(db)
        wiper = Wiper(db=db)
        # Reminder rules travel with every session (see backend/reminders/policy.py).
        # The data folder too, so erasure deletes the person's files (the media store).
        sessions.configure(
            info={
                SESSION_KEY: ReminderPolicy.from_settings(settings),
                MEDIA_DIR_KEY: settings.data_dir,
                WHATSAPP_CODES_KEY: bool(settings.whatsapp_token),
                **write_turns_info(db),
            }
        )
        adapters: dict[str, ChannelAdapter] = {"webchat": WebChatAdapter()}
        adapters.update({a.name: a for a in extra_adapters})
        dispatcher = Dispatcher(
            session_factory=sessions,
            adapters=adapters,
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            clock=clock,
            after_erasure=wiper.after_erasure,
            concurrency=_pool_size(db),
        )
        media = build_media_worker(settings, sessions, clock=clock)
        shared = None
        if settings.redis_url:
            from backend.conversations.shared_limits import SharedLimits

            shared = SharedLimits.from_url(settings.redis_url, prefix=settings.redis_prefix)
        inbound = InboundService(
            session_factory=sessions,
            engine=engine,
            zone=settings.zone,
            clock=clock,
            on_queued=dispatcher.kick,
            after_erasure=wiper.after_erasure,
            on_media=media.kick,
            locks=shared.person_locks() if shared is not None else None,
            ask_after=timedelta(minutes=settings.shared_number_ask_after_minutes),
        )
        channels = build_channels(settings, on_message=_discard_result(inbound), shared=shared)
        for channel in channels.values():
            dispatcher.add_adapter(channel)
        if "whatsapp" in channels:
            from backend.channels.whatsapp.build import build_whatsapp_window

            window = build_whatsapp_window(
                settings, channels["whatsapp"], session_factory=sessions, clock=clock
            )
            dispatcher.add_policy("whatsapp", window)
        return cls(
            settings,
            db,
            sessions,
            content,
            engine,
            inbound,
            dispatcher,
            channels,
            clock,
            wiper,
            media,
            shared,
        )

    async def start_channels(self) -> None:
        """Start what channels run by themselves (polling, webhook registration)."""
        for channel in self.channels.values():
            start = getattr(channel, "start", None)
            if start is not None:
                await start()

    async def stop_channels(self) -> None:
        """Stop them again, most recent first."""
        for channel in reversed(list(self.channels.values())):
            stop = getattr(channel, "stop", None)
            if stop is not None:
                await stop()

    async def close(self) -> None:
        """Release the database connections (and Redis's), once the messages being handled
        are committed."""
        await self.inbound.finish()
        await self.db.dispose()
        if self.shared is not None:
            await self.shared.close()


def _discard_result(inbound: InboundService) -> OnMessage:
    """The callback adapters call: receive the message; its result is the backend's business."""

    async def on_message(envelope: InboundEnvelope) -> None:
        try:
            await inbound.receive(envelope)
        except Exception as exc:
            if is_outage(exc):  # the update is fine: the channel tries it again later
                raise Unavailable(type(exc).__name__) from exc
            raise

    return on_message


def _pool_size(db: AsyncEngine) -> int:
    """How many connections the engine's pool keeps: the dispatcher sends through a channel's
    policy to no more addresses at once, since the policy may need a connection for each."""
    size = getattr(db.pool, "size", None)
    return max(int(size()), 1) if callable(size) else 5
