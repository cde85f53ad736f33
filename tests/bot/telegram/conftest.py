"""Fixtures of the Telegram suite: the Bot API double, and the app on every driver and mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.settings import Settings
from tests.bot.telegram.world import TOKEN, TelegramWorld, open_world, telegram_settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramApiDouble]:
    async with TelegramApiDouble(TOKEN) as api:
        yield api


@pytest.fixture(params=["aiogram", "ptb"])
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def world(
    settings: Settings, clock: FakeClock, telegram_api: TelegramApiDouble, driver: str, mode: str
) -> AsyncIterator[TelegramWorld]:
    configured = telegram_settings(settings, telegram_api, driver, mode)
    async with open_world(configured, telegram_api, clock) as built:
        yield built
