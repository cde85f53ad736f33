"""Bodies crafted to break the parser answer 400, and a lone surrogate is no reason to fail."""

from __future__ import annotations

import json

import pytest

from backend.conversations.models import InboundMessage
from tests.bot.telegram.test_contract import count
from tests.bot.telegram.world import TelegramWorld


@pytest.fixture(params=["webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_json_nested_a_thousand_deep_is_a_400(world: TelegramWorld) -> None:
    deep = b'{"update_id": 5, "message": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    assert (await world.post(None, raw=deep)).status_code == 400
    assert (await world.post(None, raw=b"[" * 100_000)).status_code == 400
    assert await count(world, InboundMessage) == 0


async def test_a_lone_surrogate_in_a_message_is_answered(world: TelegramWorld) -> None:
    person = world.person()
    update = person.message_update(text="bonjour")
    raw = json.dumps(update).replace('"bonjour"', '"bon\\ud800jour"').encode()
    assert (await world.post(None, raw=raw)).status_code == 200
    await world.flush()
    assert await count(world, InboundMessage) == 1
    assert world.api.of("sendMessage"), "the person gets an answer"
