"""Messages a second through the whole inbound path on SQLite: dedupe key, lock, state,
engine, outbox, commit, then dispatch to a channel that accepts everything.

Two shapes: one message at a time (each is its own batch and transaction), and everyone
writing at once, a message each per round (the messages waiting share a transaction, as a
``getUpdates`` batch of many chats does)."""

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

    def message(person: str, index: int) -> InboundEnvelope:
        return InboundEnvelope(
            "bench", person, str(uuid.uuid4()), Incoming(text=words[index % len(words)])
        )

    total = people * messages_each
    started = time.perf_counter()
    for person in range(people):
        for index in range(messages_each):
            await runtime.inbound.receive(message(f"alone-{person}", index))
    alone = time.perf_counter() - started
    started = time.perf_counter()
    for index in range(messages_each):
        await asyncio.gather(
            *(runtime.inbound.receive(message(f"together-{p}", index)) for p in range(people))
        )
    together = time.perf_counter() - started
    print(
        f"inbound (SQLite), one message at a time: {total} in {alone:.2f} s = "
        f"{total / alone:,.0f} msg/s; {people} people at once: {total} in {together:.2f} s = "
        f"{total / together:,.0f} msg/s"
    )
    started = time.perf_counter()
    sent = 0
    while batch := await runtime.dispatcher.run_once():
        sent += batch
    dispatched = time.perf_counter() - started
    await runtime.close()
    print(
        f"dispatch (SQLite): {sent} replies in {dispatched:.2f} s = {sent / dispatched:,.0f} msg/s"
    )
