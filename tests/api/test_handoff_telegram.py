"""Handoff through the API for a person on Telegram (the Bot API double, webhook mode): staff
replies and the closing question reach them there."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.settings import Settings
from tests.api.conftest import make_staff
from tests.bot.telegram.world import TOKEN, TelegramWorld, open_world, telegram_settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock


@pytest.fixture
async def world(settings: Settings, clock: FakeClock) -> AsyncIterator[TelegramWorld]:
    async with TelegramApiDouble(TOKEN) as api:
        configured = telegram_settings(settings, api, "aiogram", "webhook")
        async with open_world(configured, api, clock) as built:
            yield built


async def test_staff_answer_a_telegram_person_through_the_api(world: TelegramWorld) -> None:
    person = world.person(language_code="fr")
    await person.say("/start")
    await person.say("agent")
    agent = await make_staff(world.runtime, world.http, role="supervisor", programs=("iess",))
    cases = (await agent.get("/cases", params={"status": "open"})).json()
    assert cases["total"] == 1
    case_id = cases["items"][0]["id"]
    detail = (await agent.get(f"/cases/{case_id}")).json()
    assert detail["person"]["channel"] == "telegram"

    sent = await agent.post(f"/cases/{case_id}/messages", {"text": "Bonjour, je vous écoute."})
    assert sent.status_code == 201
    await world.flush()
    assert [m["text"] for m in person.replies()] == [
        "Supervisor · Équipe d'accompagnement\nBonjour, je vous écoute."
    ], "signed with the first name and the team, never looking like the bot"

    assert (await agent.post(f"/cases/{case_id}/close")).status_code == 200
    await world.flush()
    question = person.replies()[-1]
    assert "1" in str(question.get("reply_markup")), "the satisfaction question, with buttons"
