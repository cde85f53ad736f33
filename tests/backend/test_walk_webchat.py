"""The random walk on the web chat, over HTTP."""

from __future__ import annotations

import random

import httpx
import pytest

from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser
from tests.walk import WalkChannel, random_walk


@pytest.mark.parametrize("seed", [7, 2026])
async def test_a_200_step_random_walk_always_answers(
    client: httpx.AsyncClient, runtime: Runtime, seed: int
) -> None:
    user = WebChatUser(client, runtime, "fr")
    seen: list[dict[str, object]] = []

    async def say(text: str) -> list[str]:
        await user.post(text=text)
        seen.extend(user.last)
        return [str(m["text"]) for m in user.last]

    async def press_any(rng: random.Random) -> list[str] | None:
        choices = [c for m in seen[-6:] for c in m["choices"]]  # type: ignore[attr-defined]
        if not choices:
            return None
        choice = rng.choice(choices)
        await user.post(choice_id=choice["id"], label=choice["label"])
        seen.extend(user.last)
        return [str(m["text"]) for m in user.last]

    counts = await random_walk(WalkChannel(say, press_any), seed=seed)
    assert counts["global"] > 50 and counts["press"] > 80
