"""A person on WhatsApp, as Meta shows them to the app: signed webhook POSTs in, and the
messages the app sent them, as recorded by the Graph API double."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from backend.applications.models import Application
from backend.conversations.state import load_conversation
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from bot.whatsapp.render import MORE_PREFIX
from bot.whatsapp.signature import HEADER, sign
from conversations.messages import Conversation
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import autopilot_answer

TOKEN = "EAAGm0PX4ZCpsBAtest-token-never-logged"  # noqa: S105 - a test value
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a test value
VERIFY_TOKEN = "massar-verify-7c1f"  # noqa: S105 - a test value
FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "whatsapp"


def fixture(name: str) -> dict[str, Any]:
    """A webhook payload from tests/fixtures/whatsapp."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def webhook(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A webhook payload in Meta's shape."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Test"}, "wa_id": m["from"]} for m in messages[:1]
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def status(
    wamid: str, state: str, *, at: int = 1750263773, code: int | None = None
) -> dict[str, Any]:
    """One status object."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(at),
        "recipient_id": "21698123456",
    }
    if code is not None:
        item["errors"] = [{"code": code, "title": "error", "error_data": {"details": "details"}}]
    return item


async def post_signed(
    client: httpx.AsyncClient, body: bytes, secret: str = APP_SECRET
) -> httpx.Response:
    """POST raw bytes with Meta's signature header."""
    headers = {HEADER: sign(secret, body), "Content-Type": "application/json"}
    return await client.post("/webhooks/whatsapp", content=body, headers=headers)


class WhatsAppPerson:
    """Writes to the bot and reads what it answered."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        graph: GraphApiDouble,
        wa_id: str = "21698123456",
    ) -> None:
        self.client = client
        self.runtime = runtime
        self.graph = graph
        self.wa_id = wa_id
        self.last: list[dict[str, Any]] = []
        self.more_pressed = 0

    def message(
        self, kind: str, content: dict[str, Any], wamid: str | None = None
    ) -> dict[str, Any]:
        return {
            "from": self.wa_id,
            "id": wamid or f"wamid.{uuid.uuid4().hex}",
            "timestamp": "1750263773",
            "type": kind,
            kind: content,
        }

    async def send(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver one message through the webhook, run the dispatcher, keep the replies."""
        seen = len(self.graph.to(self.wa_id))
        body = json.dumps(webhook(messages=[message])).encode()
        response = await post_signed(self.client, body)
        assert response.status_code == 200, response.text
        await self.flush()
        self.last = self.graph.to(self.wa_id)[seen:]
        return self.last

    async def flush(self) -> None:
        while await self.runtime.dispatcher.run_once(channels=["whatsapp"]):
            pass

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(self.message("text", {"body": text}))

    def options(self) -> list[tuple[str, str, str]]:
        """(reply type, id, title) of every button and row in the last messages."""
        found: list[tuple[str, str, str]] = []
        for payload in self.last:
            interactive = payload.get("interactive") or {}
            for button in interactive.get("action", {}).get("buttons", []):
                found.append(("button_reply", button["reply"]["id"], button["reply"]["title"]))
            for section in interactive.get("action", {}).get("sections", []):
                for row in section["rows"]:
                    found.append(("list_reply", row["id"], row["title"]))
        return found

    async def tap(self, kind: str, reply_id: str, title: str) -> list[dict[str, Any]]:
        content = {"type": kind, kind: {"id": reply_id, "title": title}}
        return await self.send(self.message("interactive", content))

    async def press(self, option: str, *, pages: int = 5) -> list[dict[str, Any]]:
        """Tap the button or row for ``option``, through «More…» rows when needed."""
        for _ in range(pages):
            options = self.options()
            match = next((o for o in options if o[1].partition(".")[2] == option), None)
            if match:
                return await self.tap(*match)
            more = next((o for o in options if o[1].startswith(MORE_PREFIX)), None)
            assert more, f"{option} is not offered: {options}"
            await self.tap(*more)
            self.more_pressed += 1
        raise AssertionError(f"{option} not found in {pages} pages")

    async def beneficiary(self) -> Beneficiary:
        async with self.runtime.sessions() as session:
            person = await session.scalar(
                select(Beneficiary).where(
                    Beneficiary.channel == "whatsapp", Beneficiary.address == self.wa_id
                )
            )
        assert person is not None
        return person

    async def apply(
        self,
        program: str,
        lang: str,
        *,
        before: Callable[[Conversation], Awaitable[None]] | None = None,
        limit: int = 80,
    ) -> str:
        """Answer every question as an eligible applicant until the application is sent;
        ``before`` is awaited before each answer (to send files on the way)."""
        for _ in range(limit):
            person = await self.beneficiary()
            async with self.runtime.sessions() as session:
                done = await session.scalar(
                    select(Application.reference).where(
                        Application.beneficiary_id == person.id, Application.program == program
                    )
                )
            if done:
                return str(done)
            conversation = load_conversation(person)
            if before is not None:
                await before(conversation)
            text, option = autopilot_answer(self.runtime.content, conversation, program, lang)
            await (self.say(text or "") if option is None else self.press(option))
        raise AssertionError("no application")
