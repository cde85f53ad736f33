"""Rate limits and per-person locks shared by every ``massar serve`` through Redis.

With ``MASSAR_REDIS_URL`` set, each process asks Redis for its next sending slot instead of
counting alone, so N processes together stay within Telegram's 30 a second (and 1 a second per
chat) and WhatsApp's 80 a second. The slot is computed by one Lua script, atomic in Redis: the
generic cell rate algorithm, on Redis's own clock (machines' clocks may differ). A message waits
until its slot; every bucket it belongs to (the channel's, its chat's) sees it at that time.

The per-person lock is redis-py's own :class:`~redis.asyncio.lock.Lock` (token, expiry and
release by script), taken after the in-process lock, so that two processes never handle two
messages of one person at once. Without Redis, both are the in-process versions, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.conversations.locks import KeyedLocks
from bot.ratelimit import Limiter, RateLimiter

logger = logging.getLogger(__name__)

#: KEYS: one per bucket. ARGV: per bucket, its interval (1/rate) and tolerance ((burst-1)/rate).
#: Returns the wait before the reserved slot, in seconds, as a string (Lua numbers returned to
#: Redis are truncated to integers).
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = now
local tats = {}
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  tats[i] = tat
  local earliest = tat - tonumber(ARGV[2 * i])
  if earliest > slot then slot = earliest end
end
for i = 1, #KEYS do
  local tat = tats[i]
  if tat < slot then tat = slot end
  tat = tat + tonumber(ARGV[2 * i - 1])
  local ttl = math.ceil((tat - now) * 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.6f', tat), 'PX', ttl)
end
return tostring(slot - now)
"""


class RedisRateLimiter:
    """A channel's overall limit and per-chat limit, counted in Redis for every process.

    If Redis cannot be reached, this process falls back to counting alone (logged), rather
    than stopping delivery.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str,
        per_second: float,
        per_key_per_second: float | None = None,
        per_key_burst: float = 1.0,
    ) -> None:
        self._client = client
        self._script = client.register_script(_GCRA)
        self._prefix = prefix
        self._global = (1.0 / per_second, (max(per_second, 1.0) - 1.0) / per_second)
        self._per_key = (
            (1.0 / per_key_per_second, (per_key_burst - 1.0) / per_key_per_second)
            if per_key_per_second
            else None
        )
        self._local = RateLimiter(
            per_second=per_second,
            per_key_per_second=per_key_per_second,
            per_key_burst=per_key_burst,
        )
        self._warned = False

    async def wait(self, key: Hashable | None = None) -> None:
        """Wait for this process's share of the slot for one more message to ``key``."""
        keys = [f"{self._prefix}:all"]
        args: list[float] = list(self._global)
        if key is not None and self._per_key is not None:
            keys.append(f"{self._prefix}:chat:{key}")
            args.extend(self._per_key)
        try:
            delay = float(await self._script(keys=keys, args=args))
        except (RedisError, OSError) as exc:
            if not self._warned:
                logger.warning("Redis unavailable (%s); rate limits counted per process", exc)
                self._warned = True
            await self._local.wait(key)
            return
        self._warned = False
        if delay > 0:
            await asyncio.sleep(delay)


class RedisPersonLocks:
    """A lock per person held across processes: in-process first, then in Redis."""

    def __init__(self, client: Redis, *, prefix: str, timeout: float = 60.0) -> None:
        self._client = client
        self._prefix = prefix
        self._timeout = timeout
        self._local = KeyedLocks()

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold ``key``'s lock in this process and in Redis; the Redis lock expires after
        ``timeout`` seconds should this process die holding it."""
        name = f"{self._prefix}:person:{_key_text(key)}"
        async with self._local.hold(key):
            lock = self._client.lock(
                name, timeout=self._timeout, blocking_timeout=self._timeout, sleep=0.005
            )
            async with lock:
                yield


class SharedLimits:
    """The Redis connection, and the limiters and locks made from it."""

    def __init__(self, client: Redis, *, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "massar") -> SharedLimits:
        """Connect lazily to ``url`` (``redis://host:6379/0``)."""
        return cls(Redis.from_url(url), prefix=prefix)

    def limiter(
        self,
        channel: str,
        *,
        per_second: float,
        per_key_per_second: float | None = None,
        per_key_burst: float = 1.0,
    ) -> Limiter:
        """The shared limits of one channel."""
        return RedisRateLimiter(
            self.client,
            prefix=f"{self.prefix}:rate:{channel}",
            per_second=per_second,
            per_key_per_second=per_key_per_second,
            per_key_burst=per_key_burst,
        )

    def person_locks(self) -> RedisPersonLocks:
        """The per-person lock of the inbound path."""
        return RedisPersonLocks(self.client, prefix=self.prefix)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()


def _key_text(key: Any) -> str:
    if isinstance(key, tuple):
        return ":".join(str(part) for part in key)
    return str(key)
