"""How many turns a second the engine decides, in memory (no database, no channel)."""

from __future__ import annotations

import time
from pathlib import Path

from conversations.content_loader import load_content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.messages import Incoming
from conversations.testing import MemoryStore
from tests.support import FakeClock, autopilot_answer

ROOT = Path(__file__).resolve().parent.parent


async def run(applications: int = 200) -> None:
    """Complete ``applications`` IESS applications and report turns per second."""
    engine = Engine(content=load_content(), catalogs=Catalogs(ROOT / "locales"))
    clock = FakeClock()
    turns = 0
    started = time.perf_counter()
    for _ in range(applications):
        conversation = engine.new_conversation("fr")
        store = MemoryStore()
        replies = await engine.handle(
            conversation, Incoming(text="salut"), store=store, now=clock()
        )
        turns += 1
        while not store.applications:
            text, option = autopilot_answer(engine.content, conversation, "iess", "fr")
            button = next(
                (c.id for r in replies for c in r.choices if c.id.endswith(f".{option}")), None
            )
            incoming = Incoming(choice_id=button) if option else Incoming(text=text)
            replies = await engine.handle(conversation, incoming, store=store, now=clock())
            turns += 1
    elapsed = time.perf_counter() - started
    print(
        f"engine: {turns} turns in {elapsed:.2f} s = {turns / elapsed:,.0f} turns/s "
        f"({turns / applications:.0f} turns per application)"
    )
