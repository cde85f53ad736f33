"""The whole app on Telegram, against the Bot API double: people who write and press buttons.

Updates reach the app the way the mode says: through the double's ``getUpdates`` (polling; an
update is handled once the bot asks for the next offset) or POSTed to ``/webhooks/telegram``.
The dispatcher is driven by hand with the test clock, and replies are read from the double.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from backend.app.main import create_app
from backend.applications.models import Application
from backend.channels.telegram.webhook import SECRET_HEADER
from backend.conversations.state import load_conversation
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.settings import Settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock, autopilot_answer

TOKEN = "123456789:AAH-massar_test-token_DoNotLeak_0123"  # noqa: S105 - the double's
SECRET = "massar-webhook_secret-0123456789"  # noqa: S105 - a test value
PUBLIC_URL = "https://massar.example.org"


def telegram_settings(
    base: Settings, api: TelegramApiDouble, driver: str, mode: str, **overrides: Any
) -> Settings:
    """Settings for Telegram on the double; fast limits unless a test asks otherwise."""
    values: dict[str, Any] = {
        "database_url": base.database_url,
        "telegram_token": TOKEN,
        "telegram_driver": driver,
        "telegram_mode": mode,
        "telegram_api_url": api.url,
        "telegram_webhook_secret": SECRET if mode == "webhook" else None,
        "public_url": PUBLIC_URL,
        "telegram_rate_per_second": 1000.0,
        "telegram_chat_rate_per_second": 1000.0,
        "telegram_poll_timeout": 1,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


class TelegramWorld:
    """The app, its Telegram channel, the double, and the way updates arrive."""

    def __init__(
        self, api: TelegramApiDouble, runtime: Runtime, http: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        self.api = api
        self.runtime = runtime
        self.http = http
        self.clock = clock
        self.mode = runtime.settings.telegram_mode
        self._ids = itertools.count(1000)

    @property
    def channel(self) -> Any:
        return self.runtime.channels["telegram"]

    def next_update_id(self) -> int:
        return next(self._ids)

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand one update to the app and wait until it is handled."""
        if self.mode == "webhook":
            response = await self.post(update)
            assert response.status_code == 200, response.text
        else:
            self.api.queue_update(update)
            await self.api.wait_confirmed(update["update_id"])

    async def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver an update the app has already handled, as Telegram sometimes does."""
        if self.mode == "webhook":
            await self.deliver(update)
        else:
            self.api.redeliver(update)
            await self.api.wait_for(self.api.redelivery_handled)

    async def post(
        self, body: Any, *, secret: str | None = SECRET, raw: bytes | None = None
    ) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if raw is not None:
            return await self.http.post("/webhooks/telegram", content=raw, headers=headers)
        return await self.http.post("/webhooks/telegram", json=body, headers=headers)

    async def flush(self) -> None:
        """Send everything due now."""
        while await self.runtime.dispatcher.run_once():
            pass

    def person(self, chat_id: int = 42, language_code: str | None = "fr") -> TelegramPerson:
        return TelegramPerson(self, chat_id, language_code)


class TelegramPerson:
    """Someone writing to the bot from the Telegram app."""

    def __init__(self, world: TelegramWorld, chat_id: int, language_code: str | None) -> None:
        self.world = world
        self.chat_id = chat_id
        self.user = {"id": chat_id, "is_bot": False, "first_name": "Zeineb"}
        if language_code:
            self.user["language_code"] = language_code
        self.last: list[dict[str, Any]] = []
        self._seen = 0
        self.last_update: dict[str, Any] = {}

    @property
    def address(self) -> str:
        return str(self.chat_id)

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    def message_update(self, **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": self.world.next_update_id(),
            "date": 1_790_000_000,
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Zeineb"},
            "from": self.user,
            **fields,
        }
        return {"update_id": self.world.next_update_id(), "message": message}

    def press_update(self, option: str) -> dict[str, Any]:
        """A press on the latest button whose choice is ``option``."""
        for sent in reversed(self.world.api.of("sendMessage", self.address)):
            markup = sent.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if button["callback_data"].partition(".")[2] == option:
                        query = {
                            "id": f"q{self.world.next_update_id()}",
                            "from": self.user,
                            "chat_instance": "ci-1",
                            "data": button["callback_data"],
                            "message": sent.result,
                        }
                        return {"update_id": self.world.next_update_id(), "callback_query": query}
        raise AssertionError(f"no button for {option!r} in {self.text!r}")

    async def send(self, update: dict[str, Any], *, flush: bool = True) -> list[dict[str, Any]]:
        """Deliver an update; with ``flush``, send the replies and return them."""
        self.last_update = update
        await self.world.deliver(update)
        if flush:
            await self.world.flush()
        return self.replies()

    def replies(self) -> list[dict[str, Any]]:
        """The messages sent to this person since the last look."""
        sent = self.world.api.of("sendMessage", self.address)
        self.last = [c.params for c in sent[self._seen :]]
        self._seen = len(sent)
        return self.last

    async def say(self, text: str, **options: Any) -> list[dict[str, Any]]:
        return await self.send(self.message_update(text=text), **options)

    async def press(self, option: str, **options: Any) -> list[dict[str, Any]]:
        return await self.send(self.press_update(option), **options)

    async def beneficiary(self) -> Beneficiary | None:
        async with self.world.runtime.sessions() as session:
            return await session.scalar(
                select(Beneficiary).where(
                    Beneficiary.channel == "telegram", Beneficiary.address == self.address
                )
            )

    async def apply(self, program: str, *, before_form: list[dict[str, Any]]) -> str:
        """Answer every question with buttons where there are some; send files in the form."""
        runtime = self.world.runtime
        for _ in range(80):
            beneficiary = await self.beneficiary()
            assert beneficiary is not None
            async with runtime.sessions() as session:
                done = await session.scalar(
                    select(Application.reference).where(
                        Application.beneficiary_id == beneficiary.id,
                        Application.program == program,
                    )
                )
            if done:
                return done
            conversation = load_conversation(beneficiary)
            if conversation.node == "form" and before_form:
                await self.send(self.message_update(**before_form.pop(0)))
                continue
            lang = conversation.language
            text, option = autopilot_answer(runtime.content, conversation, program, lang)
            await (self.say(text) if option is None else self.press(option))
        raise AssertionError("the application was never submitted")


@asynccontextmanager
async def open_world(
    settings: Settings, api: TelegramApiDouble, clock: FakeClock
) -> AsyncIterator[TelegramWorld]:
    """Build the app on these settings, start its Telegram channel, and stop it afterwards."""
    runtime = Runtime.build(settings, clock=clock, raise_errors=True)
    app = create_app(runtime=runtime, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://massar.test") as http:
        await runtime.start_channels()
        try:
            yield TelegramWorld(api, runtime, http, clock)
        finally:
            await runtime.stop_channels()
            await runtime.close()
