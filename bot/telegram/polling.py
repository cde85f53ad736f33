"""Long polling with ``getUpdates``: never crashes the app, never skips an update silently.

The offset moves past an update only once it was handled, so an update whose handling failed
(the database was down) is fetched again; a redelivery is harmless because the backend dedupes
by ``update_id``. An update that keeps failing is given up after a few tries, loudly, so one bad
update cannot stop the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.telegram.api import BotApi, BotApiError
from bot.telegram.common import ALLOWED_UPDATES, InvalidUpdate

logger = logging.getLogger(__name__)

#: Tries an update gets before it is skipped.
MAX_TRIES = 5


class Poller:
    """Fetches updates in a task and hands each to ``handle``, one at a time, in order."""

    def __init__(
        self,
        api: BotApi,
        *,
        handle: Callable[[Mapping[str, Any]], Awaitable[None]],
        timeout: int,
        backoff: tuple[float, float],
    ) -> None:
        self._api = api
        self._handle = handle
        self._timeout = timeout
        self._initial, self._max = backoff
        self._delay = self._initial
        self._offset: int | None = None
        self._tries: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling; an update being handled is cancelled and fetched again next time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                updates = await self._api.get_updates(
                    offset=self._offset,
                    poll_seconds=self._timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except BotApiError as exc:
                level = logging.ERROR if exc.unauthorized or exc.status == 409 else logging.WARNING
                logger.log(level, "Telegram getUpdates failed (%s); retrying", exc)
                await self._back_off()
                continue
            except Exception:
                logger.exception("Telegram getUpdates failed unexpectedly; retrying")
                await self._back_off()
                continue
            self._delay = self._initial
            for update in updates:
                if not await self._handle_one(update):
                    await self._back_off()
                    break

    async def _handle_one(self, update: Mapping[str, Any]) -> bool:
        """Handle one update; ``False`` when it should be fetched and tried again."""
        update_id = int(update["update_id"])
        try:
            await self._handle(update)
        except InvalidUpdate as exc:
            logger.warning("Telegram update %s skipped: %s", update_id, exc)
        except Exception:
            tries = self._tries.get(update_id, 0) + 1
            if tries < MAX_TRIES:
                self._tries[update_id] = tries
                logger.exception("Telegram update %s failed (try %s); retrying", update_id, tries)
                return False
            logger.exception("Telegram update %s failed %s times; skipped", update_id, tries)
        self._tries.pop(update_id, None)
        self._offset = max(self._offset or 0, update_id + 1)
        return True

    async def _back_off(self) -> None:
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, self._max)
