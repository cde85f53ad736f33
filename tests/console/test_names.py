"""The name the inbox shows: the channel's, kept only once the person consented."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.console.views import inbox
from backend.settings import Settings
from backend.staff.service import Principal
from tests.bot.telegram.world import TOKEN, TelegramWorld, open_world, telegram_settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock

ADMIN = Principal(id=1, email="a@x", name="A", role="admin", programs=frozenset(), token_id=0)


@pytest.fixture
async def world(settings: Settings, clock: FakeClock) -> AsyncIterator[TelegramWorld]:
    async with TelegramApiDouble(TOKEN) as api:
        configured = telegram_settings(settings, api, "aiogram", "webhook")
        async with open_world(configured, api, clock) as built:
            yield built


async def _names(world: TelegramWorld) -> list[str | None]:
    async with world.runtime.sessions() as session:
        rows = await inbox(session, principal=ADMIN, show="all", program=None, channel=None)
    return [row.name for row in rows]


async def test_the_channel_name_is_kept_after_consent_only(world: TelegramWorld) -> None:
    before = world.person(chat_id=7, language_code="fr")
    await before.say("/start")
    await before.say("agent")
    assert await _names(world) == [None], "no consent: the name Telegram gives is not kept"

    after = world.person(chat_id=8, language_code="fr")
    await after.say("/start")
    await after.press("orient")
    await after.press("agree")
    await after.say("agent")
    assert sorted(await _names(world), key=str) == [None, "Zeineb"]
