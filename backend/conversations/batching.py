"""Messages that arrive together are handled in one transaction (group commit).

Each statement and each commit costs far more than the turn it carries, so the messages waiting
when a batch starts (a ``getUpdates`` batch, webhooks arriving together) share them: one insert
of their keys, one lookup of who writes, one flush, one commit. No message waits for company:
the first starts a batch at once, the next batch takes whoever came meanwhile.

When a batch fails, each of its messages is handled again alone, so one message that fails for
its own content costs the others nothing, and its caller gets its own error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batches(Generic[Item, Result]):
    """Hands waiting items to ``handle`` together, up to ``size`` at a time, in arrival order.

    ``handle`` returns one result per item, in the items' order.
    """

    def __init__(
        self, handle: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]], *, size: int
    ) -> None:
        self._handle = handle
        self._size = max(1, size)
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Handle ``item`` with whatever else is waiting; its result, or its own error."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="inbound-batches")
        return await future

    async def finish(self) -> None:
        """Wait for the batch being handled (its callers may be gone: polling stopped), so
        the database is not closed under it."""
        if self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)

    async def _drain(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._waiting:
                batch = self._waiting[: self._size]
                del self._waiting[: self._size]
                await self._run(batch)
        finally:
            # Cancelled (the loop is closing): whoever still waits is told, not left hanging.
            for _, future in [*batch, *self._waiting]:
                if not future.done():
                    future.cancel()
            self._waiting.clear()

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        if len(batch) > 1:
            try:
                results = await self._handle([item for item, _ in batch])
            except Exception as exc:  # each is tried alone, and reports its own error
                logger.info(
                    "a batch of %s messages failed (%s); handling each alone",
                    len(batch),
                    type(exc).__name__,
                )
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                return
        for item, future in batch:
            try:
                (result,) = await self._handle([item])
            except Exception as exc:  # it belongs to this item's caller
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)
