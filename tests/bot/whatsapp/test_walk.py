"""The random walk on WhatsApp, through the Graph API double."""

from __future__ import annotations

import random

import httpx

from backend.runtime import Runtime
from tests.bot.whatsapp.driver import WhatsAppPerson
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.walk import WalkChannel, random_walk


def _texts(payloads: list[dict[str, object]]) -> list[str]:
    texts = []
    for payload in payloads:
        text = payload.get("text") or {}
        interactive = payload.get("interactive") or {}
        body = text.get("body") if isinstance(text, dict) else None
        if body is None and isinstance(interactive, dict):
            body = (interactive.get("body") or {}).get("text")
        texts.append(str(body or payload.get("type")))
    return texts


async def test_a_200_step_random_walk_always_answers(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    shown: list[tuple[str, str, str]] = []

    async def say(text: str) -> list[str]:
        replies = _texts(await person.say(text))
        shown[:] = person.options() or shown
        return replies

    async def press_any(rng: random.Random) -> list[str] | None:
        if not shown:
            return None
        replies = _texts(await person.tap(*rng.choice(shown)))
        shown[:] = person.options() or shown
        return replies

    counts = await random_walk(WalkChannel(say, press_any))
    assert counts["global"] > 50 and counts["press"] > 80
