"""The random walk on Telegram, through the Bot API double."""

from __future__ import annotations

import random

import pytest

from tests.bot.telegram.world import TelegramWorld
from tests.walk import WalkChannel, random_walk


@pytest.mark.parametrize("driver", ["aiogram"])
@pytest.mark.parametrize("mode", ["webhook"])
async def test_a_200_step_random_walk_always_answers(world: TelegramWorld) -> None:
    person = world.person(language_code="ar")

    async def say(text: str) -> list[str]:
        return [m["text"] for m in await person.say(text)]

    async def press_any(rng: random.Random) -> list[str] | None:
        sent = world.api.of("sendMessage", person.address)[-6:]
        buttons = [
            (call, button)
            for call in sent
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if not buttons:
            return None
        call, button = rng.choice(buttons)
        query = {
            "id": f"q{world.next_update_id()}",
            "from": person.user,
            "chat_instance": "ci-1",
            "data": button["callback_data"],
            "message": call.result,
        }
        update = {"update_id": world.next_update_id(), "callback_query": query}
        return [m["text"] for m in await person.send(update)]

    counts = await random_walk(WalkChannel(say, press_any))
    assert counts["global"] > 50 and counts["press"] > 80
