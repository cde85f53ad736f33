"""A real massar server for browser tests: uvicorn on a free port in a background thread,
with its own event loop, the dispatcher and the Telegram channel (polling the Bot API double)
running as under ``massar serve``."""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select

from backend.app.main import create_app
from backend.cases.models import Case
from backend.db.session import make_engine, make_session_factory
from backend.people.models import Beneficiary
from backend.settings import Settings
from backend.staff.service import create_staff
from tests.doubles.telegram_api import TelegramApiDouble

TOKEN = "123456789:AAH-massar_console-token_DoNotLeak_0123"  # noqa: S105 - the double's
PASSWORD = "a-long-test-password"  # noqa: S105 - a test value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LogCapture(logging.Handler):
    """Every access-log line the server writes, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class ConsoleServer:
    """The running server, its database and the Telegram double people write through."""

    settings: Settings
    api: TelegramApiDouble
    port: int
    access_log: LogCapture
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start and wait, without blocking this loop: the Telegram double runs on it."""
        app = create_app(self.settings)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="info",
            access_log=True,
            timeout_graceful_shutdown=1,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        logging.getLogger("uvicorn.access").addHandler(self.access_log)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the console test server did not start")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            deadline = time.monotonic() + 15
            while self._thread.is_alive() and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)  # a thread, not a task: nothing to await on
        logging.getLogger("uvicorn.access").removeHandler(self.access_log)

    # --- the database, from the test's own loop ------------------------------------------
    async def db(self, work: Any) -> Any:
        engine = make_engine(self.settings.database_url)
        try:
            async with make_session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    async def make_staff(
        self,
        *,
        role: str = "admin",
        programs: tuple[str, ...] = (),
        name: str = "Amina Trabelsi",
        email: str | None = None,
        password: str = PASSWORD,
    ) -> str:
        """An account; returns its email."""
        email = email or f"{role}{next(self._ids)}@massar.test"

        async def work(session: Any) -> None:
            await create_staff(
                session, email=email, name=name, role=role, programs=list(programs),
                password=password, now=self.settings_clock(),
            )  # fmt: skip

        await self.db(work)
        return email

    @staticmethod
    def settings_clock() -> Any:
        from backend.db.base import utcnow

        return utcnow()

    async def open_case(self) -> int | None:
        async def work(session: Any) -> int | None:
            found = await session.scalar(select(Case.id).where(Case.status == "open"))
            return int(found) if found is not None else None

        result: int | None = await self.db(work)
        return result

    async def person_row(self, chat_id: int) -> Beneficiary | None:
        async def work(session: Any) -> Beneficiary | None:
            return await session.scalar(  # type: ignore[no-any-return]
                select(Beneficiary).where(
                    Beneficiary.channel == "telegram", Beneficiary.address == str(chat_id)
                )
            )

        row: Beneficiary | None = await self.db(work)
        return row

    # --- people on Telegram --------------------------------------------------------------
    async def say(self, chat_id: int, text: str, *, first_name: str = "Zeineb") -> None:
        """A person types ``text``; returns once the server has taken the update."""
        update_id = next(self._ids)
        user = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "fr"}
        self.api.queue_update(
            {
                "update_id": update_id,
                "message": {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private", "first_name": first_name},
                    "from": user,
                    "text": text,
                },
            }
        )
        await self.api.wait_confirmed(update_id, within=15)

    def sent_to(self, chat_id: int) -> list[str]:
        """Every text the bot or staff sent this person."""
        return [str(c.params.get("text", "")) for c in self.api.of("sendMessage", str(chat_id))]

    async def wait_sent(self, chat_id: int, check: Any, within: float = 15.0) -> list[str]:
        """Wait until the texts sent to the person satisfy ``check``."""
        deadline = time.monotonic() + within
        while True:
            texts = self.sent_to(chat_id)
            if check(texts):
                return texts
            if time.monotonic() > deadline:
                raise AssertionError(f"not sent in time; sent: {texts!r}")
            await asyncio.sleep(0.1)


def server_settings(database: Path, api: TelegramApiDouble, data_dir: Path) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{database}",
        "telegram_token": TOKEN,
        "telegram_driver": "aiogram",
        "telegram_mode": "polling",
        "telegram_api_url": api.url,
        "telegram_poll_timeout": 1,
        "telegram_rate_per_second": 1000.0,
        "telegram_chat_rate_per_second": 1000.0,
        "dispatch_interval_seconds": 0.1,
        "console_events_poll_seconds": 0.2,
        "office_hours": "mon-sun 00:00-23:59",
        "data_dir": data_dir,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
