"""Long polling with ``getUpdates``: never crashes the app, never skips an update silently.

The offset moves past an update only once it was handled, so an update whose handling failed is
fetched again; a redelivery is harmless because the backend dedupes by ``update_id``.

A batch is handled with one task per chat: chats do not wait for each other, and each chat's
updates go in order, stopping at the first that fails (the ones after it wait for it). The offset
then moves to the first update not handled.

Two kinds of failure. Our side being down (:class:`~bot.base.Unavailable`: the database or the
network) is retried with a growing delay for as long as ``outage_minutes``, because the update is
fine and will go through once the database is back. Anything else counts against the update:
after :data:`MAX_TRIES` it is skipped, with its id in the log, so one poison update cannot stop
the bot. A traceback is logged once per update, not once per try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.base import Unavailable
from bot.telegram.api import BotApi, BotApiError
from bot.telegram.common import ALLOWED_UPDATES, InvalidUpdate

logger = logging.getLogger(__name__)

#: Tries an update gets before it is skipped.
MAX_TRIES = 5


class Poller:
    """Fetches updates in a task and hands each to ``handle``, in order per chat."""

    def __init__(
        self,
        api: BotApi,
        *,
        handle: Callable[[Mapping[str, Any]], Awaitable[None]],
        timeout: int,
        backoff: tuple[float, float],
        outage_minutes: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._handle = handle
        self._timeout = timeout
        self._initial, self._max = backoff
        self._delay = self._initial
        self._offset: int | None = None
        self._tries: dict[int, int] = {}
        self._outage_since: dict[int, float] = {}
        self._outage_seconds = outage_minutes * 60
        self._clock = clock
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
            if updates and await self.handle_batch(updates):
                self._delay = self._initial
            elif updates:
                await self._back_off()

    async def handle_batch(self, updates: Sequence[Mapping[str, Any]]) -> bool:
        """Handle one ``getUpdates`` batch, one task per chat; ``True`` when all were handled.

        The offset moves up to the first update not handled.
        """
        chats: dict[object, list[Mapping[str, Any]]] = {}
        for update in updates:
            chats.setdefault(_chat_of(update), []).append(update)
        stuck = await asyncio.gather(*(self._handle_chat(batch) for batch in chats.values()))
        waiting = [update_id for update_id in stuck if update_id is not None]
        handled_to = min(waiting) if waiting else max(int(u["update_id"]) for u in updates) + 1
        self._offset = max(self._offset or 0, handled_to)
        return not waiting

    async def _handle_chat(self, updates: list[Mapping[str, Any]]) -> int | None:
        """One chat's updates in order; the id of the first that must be tried again."""
        for update in updates:
            if not await self._handle_one(update):
                return int(update["update_id"])
        return None

    async def _handle_one(self, update: Mapping[str, Any]) -> bool:
        """Handle one update; ``False`` when it should be fetched and tried again."""
        update_id = int(update["update_id"])
        try:
            await self._handle(update)
        except InvalidUpdate as exc:
            logger.warning("Telegram update %s skipped: %s", update_id, exc)
        except Unavailable as exc:
            return not self._keep_through_outage(update_id, exc)
        except Exception:
            tries = self._tries.get(update_id, 0) + 1
            if tries < MAX_TRIES:
                self._tries[update_id] = tries
                if tries == 1:
                    logger.exception("Telegram update %s failed; retrying", update_id)
                else:
                    logger.warning("Telegram update %s failed again (try %s)", update_id, tries)
                return False
            logger.error("Telegram update %s failed %s times; skipped", update_id, tries)
        self._tries.pop(update_id, None)
        self._outage_since.pop(update_id, None)
        return True

    def _keep_through_outage(self, update_id: int, exc: Unavailable) -> bool:
        """Whether to try again an update our side could not handle; ``False`` once the
        outage has lasted longer than allowed."""
        now = self._clock()
        since = self._outage_since.setdefault(update_id, now)
        cause = str(exc) or type(exc.__cause__ or exc).__name__
        if now - since <= self._outage_seconds:
            if since == now:
                logger.warning(
                    "Telegram update %s not handled, our side is unavailable (%s); retrying",
                    update_id,
                    cause,
                )
            return True
        logger.error(
            "Telegram update %s skipped: our side was unavailable for over %s minutes (%s)",
            update_id,
            round(self._outage_seconds / 60),
            cause,
        )
        self._outage_since.pop(update_id, None)
        return False

    async def _back_off(self) -> None:
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, self._max)


def _chat_of(update: Mapping[str, Any]) -> object:
    """The chat an update belongs to (its own id when it has none: handled alone)."""
    for kind in ("message", "edited_message", "callback_query"):
        body = update.get(kind)
        if not isinstance(body, Mapping):
            continue
        message = body.get("message") if kind == "callback_query" else body
        chat = message.get("chat") if isinstance(message, Mapping) else None
        if isinstance(chat, Mapping) and "id" in chat:
            return ("chat", chat["id"])
        sender = body.get("from")
        if isinstance(sender, Mapping) and "id" in sender:
            return ("chat", sender["id"])
    return ("update", update.get("update_id"))
