"""Two ``massar serve`` processes on one database and one Redis, Telegram in webhook mode:
together they stay within the overall send limit, and every reply goes out once, in order.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from backend.channels.telegram.webhook import SECRET_HEADER
from backend.conversations.models import OutboxMessage
from backend.db.session import make_engine
from tests.bot.telegram.world import SECRET, TOKEN
from tests.delivery.test_shared_limits import REDIS_URL
from tests.doubles.telegram_api import TelegramApiDouble

RATE = 8.0  # messages a second, for both processes together
CHATS = 12
TEXTS = ("/start", "menu", "0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Zeineb", "language_code": "fr"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Zeineb"},
            "from": person,
            "text": text,
        },
    }


@pytest.fixture
async def servers(database_url: str) -> AsyncIterator[tuple[TelegramApiDouble, list[str]]]:
    async with TelegramApiDouble(TOKEN) as api:
        env = {
            **os.environ,
            "MASSAR_DATABASE_URL": database_url,
            "MASSAR_REDIS_URL": REDIS_URL,
            "MASSAR_REDIS_PREFIX": f"massar-test-{uuid.uuid4().hex}",
            "MASSAR_TELEGRAM_TOKEN": TOKEN,
            "MASSAR_TELEGRAM_API_URL": api.url,
            "MASSAR_TELEGRAM_MODE": "webhook",
            "MASSAR_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "MASSAR_PUBLIC_URL": "https://massar.example.org",
            "MASSAR_TELEGRAM_RATE_PER_SECOND": str(RATE),
            "MASSAR_TELEGRAM_CHAT_RATE_PER_SECOND": "50",
            "MASSAR_DISPATCH_INTERVAL_SECONDS": "0.2",
        }
        urls, processes = [], []
        massar = Path(sys.executable).with_name("massar")
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(  # noqa: S603, ASYNC220 - our own command line, started once
                    [str(massar), "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        try:
            async with httpx.AsyncClient() as http:
                for url in urls:
                    for _ in range(1200):  # a loaded machine may take a minute
                        try:
                            if (await http.get(f"{url}/healthz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.1)
                    else:
                        raise AssertionError(f"{url} did not start")
            yield api, urls
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)


async def test_two_servers_share_the_limit_and_send_every_reply_once_in_order(
    servers: tuple[TelegramApiDouble, list[str]], database_url: str
) -> None:
    api, urls = servers
    ids = iter(range(1, 10_000))

    async def person(chat: int, http: httpx.AsyncClient) -> None:
        for turn, text in enumerate(TEXTS):
            url = urls[(chat + turn) % 2]  # alternate: the proxy may send any update anywhere
            response = await http.post(
                f"{url}/webhooks/telegram",
                json=update(next(ids), chat, text),
                headers={SECRET_HEADER: SECRET},
            )
            assert response.status_code == 200, response.text

    async with httpx.AsyncClient(timeout=30) as http:
        await asyncio.gather(*(person(1000 + c, http) for c in range(CHATS)))

    db = make_engine(database_url)
    try:
        for _ in range(600):  # until every queued reply is recorded sent
            async with db.connect() as connection:
                rows = (
                    await connection.execute(
                        select(OutboxMessage.address, OutboxMessage.payload, OutboxMessage.status)
                        .where(OutboxMessage.channel == "telegram")
                        .order_by(OutboxMessage.id)
                    )
                ).all()
            if rows and all(status == "sent" for _, _, status in rows):
                break
            await asyncio.sleep(0.1)
    finally:
        await db.dispose()
    assert rows and all(status == "sent" for _, _, status in rows)

    calls = api.of("sendMessage")
    assert len(calls) == len(rows), "every reply sent once"
    for chat in {address for address, _, _ in rows}:
        expected = [payload["text"] for address, payload, _ in rows if address == chat]
        got = [c.params["text"] for c in api.of("sendMessage", chat)]
        assert got == expected, f"chat {chat}: in order"
    times = sorted(c.at for c in calls)
    least = (len(times) - RATE) / RATE
    assert times[-1] - times[0] >= least * 0.9, "both processes together stay within the limit"
    for t in times:
        assert sum(1 for u in times if t <= u < t + 1.0) <= 2 * RATE
