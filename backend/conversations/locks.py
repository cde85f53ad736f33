"""A lock per person, taken before their state is loaded (aiogram's fix for concurrent updates
of one chat). Across processes, PostgreSQL's row lock does the same job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class PersonLocks(Protocol):
    """A lock per key: this process's (:class:`KeyedLocks`) or every process's (Redis)."""

    def hold(self, key: Hashable) -> AbstractAsyncContextManager[None]:
        """Hold the lock for ``key``."""
        ...


class KeyedLocks:
    """One :class:`asyncio.Lock` per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the lock for ``key``."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
