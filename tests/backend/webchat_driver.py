"""A person using the web chat over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from backend.applications.models import Application
from backend.conversations.state import load_conversation
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from tests.support import autopilot_answer


class WebChatUser:
    """Posts messages as the page does and keeps what it shows."""

    def __init__(self, client: httpx.AsyncClient, runtime: Runtime, lang: str) -> None:
        self.client = client
        self.runtime = runtime
        self.lang = lang
        self.session = str(uuid.uuid4())
        self.after = 0
        self.shown: list[dict[str, Any]] = []
        self.last: list[dict[str, Any]] = []

    async def post(self, *, message_id: str | None = None, **fields: Any) -> httpx.Response:
        body = {
            "session": self.session,
            "message_id": message_id or str(uuid.uuid4()),
            "language": self.lang,
            "after": self.after,
            **fields,
        }
        response = await self.client.post("/chat/api/messages", json=body)
        if response.status_code == 200:
            self.last = response.json()["messages"]
            for message in self.last:
                self.after = max(self.after, message["id"])
            self.shown.extend(self.last)
        return response

    async def say(self, text: str | None) -> list[dict[str, Any]]:
        response = await self.post(text=text)
        assert response.status_code == 200, response.text
        assert self.last, "every message gets a reply"
        return self.last

    async def press(self, option: str) -> list[dict[str, Any]]:
        choice = next(
            c["id"]
            for m in reversed(self.last)
            for c in m["choices"]
            if c["id"].partition(".")[2] == option
        )
        response = await self.post(choice_id=choice)
        assert response.status_code == 200, response.text
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    async def beneficiary(self) -> Beneficiary | None:
        async with self.runtime.sessions() as session:
            return await session.scalar(
                select(Beneficiary).where(Beneficiary.address == self.session)
            )

    async def apply(self, program: str, limit: int = 60) -> str:
        for _ in range(limit):
            async with self.runtime.sessions() as session:
                beneficiary = await session.scalar(
                    select(Beneficiary).where(Beneficiary.address == self.session)
                )
                assert beneficiary is not None
                done = await session.scalar(
                    select(Application.reference).where(
                        Application.beneficiary_id == beneficiary.id,
                        Application.program == program,
                    )
                )
            if done:
                return done
            conversation = load_conversation(beneficiary)
            text, option = autopilot_answer(self.runtime.content, conversation, program, self.lang)
            await (self.say(text) if option is None else self.press(option))
        raise AssertionError("no application")
