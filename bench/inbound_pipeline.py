"""Messages a second through the whole inbound path on SQLite: dedupe key, lock, state,
engine, outbox, commit, then dispatch to a channel that accepts everything."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from backend.db.migrate import upgrade
from backend.runtime import Runtime
from backend.settings import Settings
from bot.base import InboundEnvelope, SendResult
from conversations.messages import Incoming, Outgoing


class NullChannel:
    """Accepts every message at once."""

    name = "bench"

    async def send(self, address: str, message: Outgoing) -> SendResult:
        return SendResult()


def run(people: int = 50, messages_each: int = 10) -> None:
    """``people`` people each send ``messages_each`` messages; report the throughput."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        asyncio.run(_measure(url, people, messages_each))


async def _measure(url: str, people: int, messages_each: int) -> None:
    runtime = Runtime.build(
        Settings(database_url=url, _env_file=None),  # type: ignore[call-arg]
        extra_adapters=(NullChannel(),),
    )
    words = ["salut", "1", "2", "menu", "3", "oui", "25", "femme", "menu", "2"]
    started = time.perf_counter()
    for person in range(people):
        for index in range(messages_each):
            await runtime.inbound.receive(
                InboundEnvelope(
                    "bench",
                    f"p{person}",
                    str(uuid.uuid4()),
                    Incoming(text=words[index % len(words)]),
                )
            )
    received = time.perf_counter() - started
    sent = 0
    while batch := await runtime.dispatcher.run_once():
        sent += batch
    dispatched = time.perf_counter() - started - received
    await runtime.close()
    total = people * messages_each
    print(
        f"inbound (SQLite): {total} messages in {received:.2f} s = {total / received:,.0f} msg/s"
    )
    print(
        f"dispatch (SQLite): {sent} replies in {dispatched:.2f} s = {sent / dispatched:,.0f} msg/s"
    )
