"""A stream of Telegram updates from many chats walking the menus, as people do.

The walk is recorded once from the real engine (in a scratch SQLite database), so every text
and every button press is one the bot offered: a greeting, the language menu, the main menu's
choices, consent, questions answered with buttons, a word typed now and then. Each chat then
replays one of a few walks, and the chats' updates are interleaved the way a busy bot sees them.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.db.migrate import upgrade
from backend.runtime import Runtime
from backend.settings import Settings
from bot.base import InboundEnvelope, SendResult
from bot.telegram.common import inline_keyboard
from conversations.messages import Incoming, Outgoing

#: What each walk wants, in order: a word to type, or the end of a choice id to press
#: (``*`` presses the first button offered, or types an answer to a question without buttons).
#: Unmatched wishes press the first button.
WALKS: tuple[tuple[str, ...], ...] = (
    ("salut", "language", "*", "orient", "*", "*", "*", "*", "menu", "programs", "*", "*",
     "menu", "learn", "*", "*", "menu", "trainings", "2", "menu", "mine", "menu"),
    ("bonjour", "programs", "*", "*", "menu", "orient", "*", "*", "*", "*", "*", "menu",
     "payment", "menu", "learn", "*", "menu", "3", "menu", "language", "*", "menu"),
    ("/start", "learn", "*", "*", "*", "menu", "apply", "*", "*", "*", "*", "menu",
     "programs", "*", "menu", "mydata", "menu", "1", "menu", "trainings", "menu"),
)  # fmt: skip
_LANGUAGES = ("fr", "ar", "en")


@dataclass(frozen=True)
class Step:
    """One thing a person sends: ``text``, or a press of ``data`` under the bot's ``shown``."""

    text: str | None = None
    data: str | None = None
    shown: dict[str, Any] | None = None


class _Recorder:
    """A channel that keeps what the engine sent, so the next wish can find its button."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, address: str, message: Outgoing) -> SendResult:
        self.sent.append(message)
        return SendResult()


def record_walks() -> list[list[Step]]:
    """Each walk of :data:`WALKS` as the steps a person sends (runs the engine once)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'walk.db'}"
        upgrade(url)
        return asyncio.run(_record(url))


async def _record(url: str) -> list[list[Step]]:
    recorder = _Recorder()
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    runtime = Runtime.build(settings, extra_adapters=(recorder,))
    walks = []
    try:
        for number, wishes in enumerate(WALKS):
            steps: list[Step] = []
            last: Outgoing | None = None
            typing = False  # the last question takes a typed answer (an age, a place)
            for wish in wishes:
                step = Step(text="24") if wish == "*" and typing else _step(wish, last)
                steps.append(step)
                incoming = (
                    Incoming(text=step.text, language_hint=_LANGUAGES[number])
                    if step.text is not None
                    else Incoming(choice_id=_choice(step))
                )
                envelope = InboundEnvelope(
                    "telegram", f"walk{number}", str(uuid.uuid4()), incoming
                )
                await runtime.inbound.receive(envelope)
                while await runtime.dispatcher.run_once():
                    pass
                with_buttons = [m for m in recorder.sent if m.choices]
                last = with_buttons[-1] if with_buttons else last
                typing = bool(recorder.sent) and not recorder.sent[-1].choices
                recorder.sent.clear()
            walks.append(steps)
    finally:
        await runtime.close()
    return walks


def _step(wish: str, last: Outgoing | None) -> Step:
    """Type the wish, or press its button on the last question (the first when it has none)."""
    typed = wish[0].isdigit() or wish in ("menu", "salut", "bonjour", "/start")
    if typed or last is None:
        return Step(text=wish if typed else "menu")
    chosen = next((c for c in last.choices if c.id.endswith("." + wish)), last.choices[0])
    keyboard = inline_keyboard(last.choices)
    data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == chosen.label)
    shown = {"text": last.text, "reply_markup": {"inline_keyboard": keyboard}}
    return Step(data=data, shown=shown | {"_choice": chosen.id})


def _choice(step: Step) -> str:
    assert step.shown is not None  # noqa: S101 - a press always has the message it was under
    return str(step.shown["_choice"])


def updates(
    walks: list[list[Step]], *, chats: int, total: int, first_chat: int, first_update: int = 1
) -> list[Any]:
    """``total`` updates from ``chats`` chats, interleaved round-robin, each chat replaying
    one walk from its start (and again from the start when it runs out)."""
    ids = itertools.count(first_update)
    replays: list[Iterator[Step]] = [
        itertools.cycle(walks[chat % len(walks)]) for chat in range(chats)
    ]
    stream: list[Any] = []
    for position in range(total):
        chat = position % chats
        update_id = next(ids)
        stream.append(_update(next(replays[chat]), update_id, first_chat + chat, chat))
    return stream


def _update(step: Step, update_id: int, chat_id: int, chat: int) -> dict[str, Any]:
    """The update as Telegram sends it; message ids are unique, so a reply can name its cause."""
    user = {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Zeineb",
        "language_code": _LANGUAGES[chat % len(_LANGUAGES)],
    }
    where = {"id": chat_id, "type": "private", "first_name": "Zeineb"}
    if step.text is not None:
        message = {"message_id": update_id, "date": 1_790_000_000, "chat": where, "from": user,
                   "text": step.text}  # fmt: skip
        if step.text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(step.text)}]
        return {"update_id": update_id, "message": message}
    assert step.shown is not None  # noqa: S101 - see Step
    shown = {k: v for k, v in step.shown.items() if not k.startswith("_")}
    bot = {"id": 123456789, "is_bot": True, "first_name": "massar"}
    under = {"message_id": update_id, "date": 1_790_000_000, "chat": where, "from": bot} | shown
    query = {"id": f"q{update_id}", "from": user, "chat_instance": f"ci{chat}",
             "data": step.data, "message": under}  # fmt: skip
    return {"update_id": update_id, "callback_query": query}
