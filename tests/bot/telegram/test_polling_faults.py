"""Polling through an outage of our side, a poison update, and a batch from many chats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.base import Unavailable
from bot.telegram import polling
from bot.telegram.polling import Poller


@dataclass
class UpdatesApi:
    """``getUpdates`` over a fixed list of updates, honouring the offset."""

    updates: list[dict[str, Any]]
    offsets: list[int | None] = field(default_factory=list)

    async def get_updates(
        self, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
    ) -> list[dict[str, Any]]:
        self.offsets.append(offset)
        await asyncio.sleep(0)
        return [u for u in self.updates if offset is None or u["update_id"] >= offset]


def update(update_id: int, chat: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"chat": {"id": chat}, "text": f"u{update_id}"}}


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


async def run_until(poller: Poller, done: Any, limit: float = 5.0) -> None:
    poller.start()
    try:
        async with asyncio.timeout(limit):
            while not done():  # noqa: ASYNC110 - a plain predicate, no event to wait on
                await asyncio.sleep(0.001)
    finally:
        await poller.stop()


def make_poller(api: UpdatesApi, handle: Any, clock: Clock, minutes: float = 30.0) -> Poller:
    return Poller(
        api,  # type: ignore[arg-type]
        handle=handle,
        timeout=0,
        backoff=(0.001, 0.004),
        outage_minutes=minutes,
        clock=clock,
    )


async def test_an_update_is_kept_through_an_outage_and_others_chats_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = UpdatesApi([update(1, chat=10), update(2, chat=20), update(3, chat=10)])
    handled: list[int] = []
    clock = Clock()
    failures = 0

    async def handle(u: Mapping[str, Any]) -> None:
        nonlocal failures
        if u["update_id"] == 1 and failures < 40:  # the database is down for 40 tries
            failures += 1
            clock.now += 15  # ten minutes of outage in all
            raise Unavailable("OperationalError")
        handled.append(int(u["update_id"]))

    poller = make_poller(api, handle, clock)
    caplog.set_level(logging.INFO)
    await run_until(poller, lambda: 3 in handled)
    assert handled.index(1) < handled.index(3), "chat 10 keeps its order"
    assert handled[0] == 2, "chat 20 did not wait for chat 10"
    assert all(o is None or o <= 1 for o in api.offsets[:failures]), "never polled past 1"
    assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
    assert len([r for r in caplog.records if "update 1" in r.getMessage()]) == 1


async def test_an_outage_longer_than_the_setting_skips_the_update_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = UpdatesApi([update(1, chat=10), update(2, chat=10)])
    handled: list[int] = []
    clock = Clock()

    async def handle(u: Mapping[str, Any]) -> None:
        if u["update_id"] == 1:
            clock.now += 61
            raise Unavailable("OperationalError")
        handled.append(int(u["update_id"]))

    await run_until(make_poller(api, handle, clock, minutes=5), lambda: 2 in handled)
    skipped = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in skipped] == [
        "Telegram update 1 skipped: our side was unavailable for over 5 minutes (OperationalError)"
    ]


async def test_a_poison_update_is_skipped_after_a_few_tries_with_one_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = UpdatesApi([update(1, chat=10), update(2, chat=10)])
    handled: list[int] = []
    tries = 0

    async def handle(u: Mapping[str, Any]) -> None:
        nonlocal tries
        if u["update_id"] == 1:
            tries += 1
            raise KeyError("from")
        handled.append(int(u["update_id"]))

    await run_until(make_poller(api, handle, Clock()), lambda: 2 in handled)
    assert tries == polling.MAX_TRIES
    assert len([r for r in caplog.records if r.exc_info]) == 1
    assert "Telegram update 1 failed 5 times; skipped" in caplog.text


async def test_chats_of_one_batch_are_handled_concurrently() -> None:
    api = UpdatesApi([update(i, chat=i % 4) for i in range(1, 13)])
    running = 0
    most = 0
    order: dict[int, list[int]] = {}

    async def handle(u: Mapping[str, Any]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.002)
        running -= 1
        order.setdefault(u["message"]["chat"]["id"], []).append(int(u["update_id"]))

    await run_until(make_poller(api, handle, Clock()), lambda: sum(map(len, order.values())) >= 12)
    assert most == 4
    assert all(ids == sorted(ids) for ids in order.values())
