"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from backend.api.router import api_router
from backend.app import access_log, docs, health
from backend.app.json_guard import JsonBodyGuard, validation_error
from backend.channels import webchat
from backend.channels.telegram import webhook as webhooks_telegram
from backend.channels.whatsapp import webhook as webhooks_whatsapp
from backend.console import app as console
from backend.console import live
from backend.runtime import Runtime
from backend.scheduler import build_scheduler
from backend.settings import Settings

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background: bool = True,
) -> FastAPI:
    """The app. With ``background``, the outbox dispatcher and the scheduler's tick run for
    the app's lifetime.

    Args:
        settings: read from the environment when not given.
        runtime: an already built runtime (tests pass their own, with a test clock).
        background: run the dispatcher loop (tests drive it by hand instead).
    """
    settings = settings or (runtime.settings if runtime else Settings())
    built = runtime or Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        scheduler = None
        if background:
            task = asyncio.create_task(
                built.dispatcher.run_forever(interval=settings.dispatch_interval_seconds)
            )
            await built.start_channels()
            if built.media is not None:  # fetch files people sent, kicked after each message
                built.media.start()
                built.media.kick()
            # One interval job ticks reminders, broadcasts and surveys.
            scheduler = build_scheduler(built)
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if built.media is not None:
                await built.media.stop()
            if task is not None:  # stop sending before the channels close their sessions
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if background:
                await built.stop_channels()
            if runtime is None:
                await built.close()

    app = FastAPI(
        title="massar",
        version="0.1.0",
        summary="Inform, screen, enrol and follow people on the messaging apps they use.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    access_log.install()
    live.listen()
    app.state.runtime = built
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(JsonBodyGuard)
    app.include_router(health.router)
    app.include_router(webchat.router)
    app.include_router(webhooks_telegram.router)
    app.include_router(webhooks_whatsapp.router)
    app.include_router(api_router, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=webchat.STATIC), name="static")
    docs.install(app)
    console.install(app)
    return app
