"""Driving the engine as a person would, in memory."""

from __future__ import annotations

from datetime import timedelta

from conversations.engine import Engine
from conversations.messages import Conversation, Incoming, Outgoing
from conversations.testing import MemoryStore
from tests.support import FakeClock, autopilot_answer


class Chat:
    """One person talking to the engine."""

    def __init__(self, engine: Engine, lang: str = "fr", clock: FakeClock | None = None) -> None:
        self.engine = engine
        self.lang = lang
        self.conversation: Conversation = engine.new_conversation(lang)
        self.store = MemoryStore()
        self.clock = clock or FakeClock()
        self.replies: list[Outgoing] = []

    async def send(self, text: str | None = None, **incoming: object) -> list[Outgoing]:
        """Type ``text`` (or send any other incoming fields) and keep the replies."""
        message = Incoming(text=text, language_hint=self.lang, **incoming)  # type: ignore[arg-type]
        passed_on = self.store.passed_on
        self.replies = await self.engine.handle(
            self.conversation, message, store=self.store, now=self.clock()
        )
        if self.store.passed_on > passed_on and not self.replies:
            # «Someone else is writing»: the backend, not the engine, asks who writes now
            # (tests/bot/whatsapp/test_shared_number.py). Here the same person answers «me».
            self.replies = await self.engine.greet_writer(
                self.conversation, store=self.store, now=self.clock(), name=None
            )
        self.clock.advance(timedelta(seconds=20))
        assert self.replies or self.conversation.case_open, "every message gets a reply"
        return self.replies

    async def staff_close(self, case_id: int = 1) -> list[Outgoing]:
        """Staff close the open case: the bot asks for satisfaction and resumes."""
        self.conversation.case_open = False
        self.replies = await self.engine.move(
            self.conversation,
            node="satisfaction",
            params={"case": case_id},
            store=self.store,
            now=self.clock(),
        )
        return self.replies

    def button(self, option_id: str) -> str:
        """The payload of the visible button for ``option_id``."""
        for reply in reversed(self.replies):
            for choice in reply.choices:
                if choice.id.partition(".")[2] == option_id:
                    return choice.id
        raise AssertionError(f"no button {option_id!r} in {self.labels}")

    async def press(self, option_id: str) -> list[Outgoing]:
        """Press the button for ``option_id``."""
        return await self.send(choice_id=self.button(option_id))

    @property
    def text(self) -> str:
        """All the text of the last replies."""
        return "\n".join(r.text for r in self.replies)

    @property
    def labels(self) -> list[str]:
        """The labels of the buttons in the last replies."""
        return [c.label for r in self.replies for c in r.choices]

    async def apply(self, program: str, *, typed: bool = False, limit: int = 60) -> str:
        """Go from wherever the person is to a submitted application; returns the reference."""
        for _ in range(limit):
            if self.store.applications and self.store.applications[-1]["program"] == program:
                return str(self.store.applications[-1]["reference"])
            text, option = autopilot_answer(
                self.engine.content, self.conversation, program, self.lang
            )
            if option is None:
                await self.send(text)
            elif typed:
                await self.send(self._label(option))
            else:
                await self.press(option)
        raise AssertionError(f"no application after {limit} steps; at {self.conversation.node}")

    def _label(self, option_id: str) -> str:
        for reply in reversed(self.replies):
            for choice in reply.choices:
                if choice.id.partition(".")[2] == option_id:
                    return choice.label
        raise AssertionError(f"no button {option_id!r} in {self.labels}")
