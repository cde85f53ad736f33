"""Two processes' limiters and locks on one Redis keep one set of limits between them.

Each "process" here has its own Redis client and its own limiter objects, as two ``massar
serve`` would; only Redis is shared. Keys are prefixed per test run.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from backend.conversations.shared_limits import SharedLimits

REDIS_URL = os.environ.get("MASSAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def two_processes() -> AsyncIterator[tuple[SharedLimits, SharedLimits]]:
    prefix = f"massar-test-{uuid.uuid4().hex}"
    first = SharedLimits.from_url(REDIS_URL, prefix=prefix)
    second = SharedLimits.from_url(REDIS_URL, prefix=prefix)
    yield first, second
    keys = [key async for key in first.client.scan_iter(f"{prefix}:*")]
    if keys:
        await first.client.delete(*keys)
    await first.close()
    await second.close()


async def test_two_processes_share_the_overall_limit(
    two_processes: tuple[SharedLimits, SharedLimits],
) -> None:
    rate, each = 20.0, 30
    limiters = [p.limiter("telegram", per_second=rate) for p in two_processes]
    sent: list[float] = []

    async def send(limiter_index: int, chat: int) -> None:
        await limiters[limiter_index].wait(chat)
        sent.append(time.monotonic())

    start = time.monotonic()
    await asyncio.gather(*(send(i % 2, i) for i in range(2 * each)))
    # A burst of one second's worth, then one every 1/rate seconds, for both together.
    least = (2 * each - rate) / rate
    assert sent[-1] - start >= least * 0.9, f"{sent[-1] - start:.2f}s < {least:.2f}s"
    for t in sent:  # no one-second window holds more than two seconds' worth
        assert sum(1 for u in sent if t <= u < t + 1.0) <= 2 * rate


async def test_two_processes_share_the_limit_per_chat(
    two_processes: tuple[SharedLimits, SharedLimits],
) -> None:
    limiters = [
        p.limiter("telegram", per_second=1000, per_key_per_second=5.0) for p in two_processes
    ]
    start = time.monotonic()
    await asyncio.gather(*(limiters[i % 2].wait("chat-42") for i in range(6)))
    assert time.monotonic() - start >= 5 / 5.0 * 0.9


async def test_the_per_person_lock_holds_across_processes(
    two_processes: tuple[SharedLimits, SharedLimits],
) -> None:
    first, second = (p.person_locks() for p in two_processes)
    events: list[str] = []
    entered = asyncio.Event()

    async def holder() -> None:
        async with first.hold(("telegram", "42")):
            events.append("first in")
            entered.set()
            await asyncio.sleep(0.3)
            events.append("first out")

    async def contender() -> None:
        await entered.wait()
        async with second.hold(("telegram", "42")):
            events.append("second in")

    await asyncio.gather(holder(), contender())
    assert events == ["first in", "first out", "second in"]


async def test_without_redis_a_process_still_keeps_its_own_limits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = SharedLimits.from_url("redis://127.0.0.1:1/0", prefix="massar-test")
    limiter = gone.limiter("telegram", per_second=10.0)
    start = time.monotonic()
    for _ in range(15):
        await limiter.wait()
    assert time.monotonic() - start >= 0.4
    assert "Redis unavailable" in caplog.text
    await gone.close()
