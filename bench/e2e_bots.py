"""The two bots the end-to-end benchmark compares, each run as its own process, and how to
find the first reply to each update.

The bare bot replies to the message an update is about (its ids are the update's), so its
replies name their update. ``massar serve`` writes an update's inbound row and its replies in
one transaction with one clock reading: its database says which outbox row answered which
update, and the row's ``external_id`` is the message id the double gave that reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from backend.conversations.models import InboundMessage, OutboxMessage
from backend.db.session import make_engine
from tests.doubles.telegram_api import TelegramApiDouble

TOKEN = "123456789:AAH-massar_bench-token_0123456789abcd"  # noqa: S105 - the double's
#: The checkout: the bots' processes import ``bench`` and read the content from it.
ROOT = Path(__file__).resolve().parent.parent
#: Limits high enough never to be what is measured.
UNLIMITED = 1_000_000.0


@dataclass
class BotProcess:
    """A bot started against a double: ``command`` and ``env`` are given its URL."""

    kind: str
    folder: Path
    command: Callable[[str], list[str]]
    env: Callable[[str], dict[str, str]] = field(default=lambda _url: {})
    #: The running process, for a profiler to attach to.
    process: asyncio.subprocess.Process | None = None

    @contextlib.asynccontextmanager
    async def running(
        self, api: TelegramApiDouble, *, wait_for_poll: bool = True
    ) -> AsyncIterator[None]:
        """The bot's process, up and polling (with ``wait_for_poll``) until the block ends."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MASSAR_")}
        env |= self.env(api.url)
        env["PYTHONPATH"] = str(ROOT)
        log_path = Path(os.environ.get("MASSAR_BENCH_LOGS") or self.folder) / f"{self.kind}.log"
        with _append(log_path) as log:
            self.process = process = await asyncio.create_subprocess_exec(
                *self.command(api.url),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
            )
        try:
            if wait_for_poll:
                await api.wait_for(
                    lambda: process.returncode is not None or bool(api.of("getUpdates")),
                    within=180,
                )
            if process.returncode is not None:
                raise RuntimeError(f"the {self.kind} bot stopped; see {log_path}")
            yield
        finally:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


def _append(path: Path) -> IO[bytes]:
    """The bot's log file (the process writes to it; nobody reads it unless it fails)."""
    return path.open("ab")


def bare_bot(folder: Path) -> BotProcess:
    """The aiogram echo bot of :mod:`bench.bare_echo`."""
    return BotProcess(
        "bare", folder, lambda api_url: [sys.executable, "-m", "bench.bare_echo", api_url, TOKEN]
    )


def bare_sender(folder: Path, count: int, *, chats: int) -> BotProcess:
    """The aiogram sender of :mod:`bench.bare_send`."""
    return BotProcess(
        "bare-send",
        folder,
        lambda api_url: [
            sys.executable, "-m", "bench.bare_send", api_url, TOKEN, str(count), str(chats)
        ],
    )  # fmt: skip


def massar_bot(database_url: str, folder: Path, *, rate: float = UNLIMITED) -> BotProcess:
    """``massar serve`` on ``database_url``, Telegram by aiogram in polling mode, sending at
    ``rate`` a second at most (and with no per-chat limit worth the name)."""
    port = _free_port()
    massar = shutil.which("massar", path=str(Path(sys.executable).parent)) or "massar"

    def env(api_url: str) -> dict[str, str]:
        return {
            "MASSAR_DATABASE_URL": database_url,
            "MASSAR_TELEGRAM_TOKEN": TOKEN,
            "MASSAR_TELEGRAM_DRIVER": "aiogram",
            "MASSAR_TELEGRAM_MODE": "polling",
            "MASSAR_TELEGRAM_API_URL": api_url,
            "MASSAR_TELEGRAM_RATE_PER_SECOND": str(rate),
            "MASSAR_TELEGRAM_CHAT_RATE_PER_SECOND": str(UNLIMITED),
            "MASSAR_DATA_DIR": str(folder / "data"),
            "MASSAR_CONTENT_DIR": str(ROOT / "conversations" / "content"),
            "MASSAR_LOCALES_DIR": str(ROOT / "locales"),
        }

    command = [massar, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return BotProcess("massar", folder, lambda _api_url: command, env)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def first_replies(
    bot: BotProcess, api: TelegramApiDouble, stream: Sequence[dict[str, Any]], url: str
) -> list[float]:
    """Seconds from each update being available to the double seeing its first reply."""
    sent = api.of("sendMessage")
    if bot.kind == "bare":
        answered: dict[int, float] = {}
        for call in sent:
            quoted = call.params.get("reply_parameters") or {}
            cause = quoted.get("message_id", call.params.get("reply_to_message_id"))
            if cause is not None:
                answered.setdefault(int(cause), call.at)
    else:
        at = {int(c.result["message_id"]): c.at for c in sent}
        answered = {
            update: at[message] for update, message in (await _massar_firsts(url, stream)).items()
            if message in at
        }  # fmt: skip
    return [
        answered[u] - api.available_at[u]
        for u in (int(update["update_id"]) for update in stream)
        if u in answered
    ]


async def _massar_firsts(url: str, stream: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Update id -> message id of the first reply massar sent for it."""
    ids = [str(update["update_id"]) for update in stream]
    db = make_engine(url)
    try:
        async with db.connect() as connection:
            inbound = (
                await connection.execute(
                    select(
                        InboundMessage.external_id,
                        InboundMessage.beneficiary_id,
                        InboundMessage.received_at,
                    ).where(
                        InboundMessage.channel == "telegram", InboundMessage.external_id.in_(ids)
                    )
                )
            ).all()
            people = {row.beneficiary_id for row in inbound}
            replies = (
                await connection.execute(
                    select(
                        OutboxMessage.beneficiary_id,
                        OutboxMessage.created_at,
                        OutboxMessage.external_id,
                    )
                    .where(OutboxMessage.beneficiary_id.in_(people))
                    .order_by(OutboxMessage.id)
                )
            ).all()
    finally:
        await db.dispose()
    first: dict[tuple[int, Any], int] = {}
    for reply in replies:
        if reply.external_id and reply.external_id.isdigit():
            first.setdefault((reply.beneficiary_id, reply.created_at), int(reply.external_id))
    return {
        int(row.external_id): first[(row.beneficiary_id, row.received_at)]
        for row in inbound
        if (row.beneficiary_id, row.received_at) in first
    }
