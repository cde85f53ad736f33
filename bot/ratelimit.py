"""Token-bucket rate limits: one for the whole channel and one per chat.

Channels publish their limits (Telegram: about 30 messages a second overall and 1 a second per
chat; WhatsApp Cloud API: 80 a second per phone number by default). Adapters await
:meth:`RateLimiter.wait` before each call so the dispatcher can send concurrently and still
stay inside them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Protocol


class Limiter(Protocol):
    """What adapters await before each call: this process's own :class:`RateLimiter`, or one
    shared by every process (the backend passes it in)."""

    async def wait(self, key: Hashable | None = None) -> None:
        """Wait until one more message to ``key`` stays within the limits."""
        ...


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _updated: float = field(init=False)

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def full(self) -> bool:
        """Whether the bucket has refilled completely (its key has been idle)."""
        self._refill()
        return self._tokens >= self.burst

    def take(self) -> float:
        """Take a token; returns how long to wait first (0 when one was available)."""
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class RateLimiter:
    """A global bucket and one bucket per key (a chat, a phone number)."""

    def __init__(
        self,
        *,
        per_second: float,
        per_key_per_second: float | None = None,
        per_key_burst: float = 1.0,
        sleep: Callable[[float], object] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global = TokenBucket(per_second, max(per_second, 1.0), clock)
        self._per_key_rate = per_key_per_second
        self._per_key_burst = per_key_burst
        self._keys: dict[Hashable, TokenBucket] = {}
        self._sleep = sleep
        self._clock = clock
        self._lock = asyncio.Lock()

    async def wait(self, key: Hashable | None = None) -> None:
        """Wait until one more message to ``key`` stays within both limits."""
        async with self._lock:
            delay = self._global.take()
            if key is not None and self._per_key_rate:
                bucket = self._keys.get(key)
                if bucket is None:
                    bucket = TokenBucket(self._per_key_rate, self._per_key_burst, self._clock)
                    self._keys[key] = bucket
                delay = max(delay, bucket.take())
                if len(self._keys) > 10_000:
                    self._forget_idle()
        if delay > 0:
            await self._sleep(delay)  # type: ignore[misc]

    def _forget_idle(self) -> None:
        """Drop buckets that are full again, so memory stays bounded."""
        for key in [
            k for k, b in self._keys.items() if b.take() <= 0 and b._tokens + 1 >= b.burst
        ]:
            del self._keys[key]
