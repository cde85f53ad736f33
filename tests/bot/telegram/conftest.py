"""Fixtures of the Telegram suite: the Bot API double, and the app on every driver and mode."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.db.migrate import upgrade
from backend.settings import Settings
from tests.bot.telegram.world import TOKEN, TelegramWorld, open_world, telegram_settings
from tests.conftest import POSTGRES_URL, _database_params, _reset_postgres
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "massar.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    """The shared fixture's databases, but SQLite is a copy of one migrated once per session:
    this suite builds the app a hundred times and migrating each time doubled its run time."""
    if request.param == "sqlite":
        target = tmp_path / "massar.db"
        shutil.copyfile(migrated_sqlite, target)
        return f"sqlite+aiosqlite:///{target}"
    assert POSTGRES_URL is not None
    asyncio.run(_reset_postgres(POSTGRES_URL))
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


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
