"""Deployer mistakes fail at start-up with the setting's name; migrations match the models."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

from backend.db.migrate import downgrade, upgrade
from backend.db.models import Base
from backend.db.session import make_engine
from backend.settings import Settings


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MASSAR_TIMEZONE": "Africa/Nowhere"}, "MASSAR_TIMEZONE"),
        (
            {
                "MASSAR_TELEGRAM_TOKEN": "1:x",
                "MASSAR_TELEGRAM_MODE": "webhook",
                "MASSAR_PUBLIC_URL": "https://example.org",
            },
            "MASSAR_TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {
                "MASSAR_WHATSAPP_TOKEN": "t",
                "MASSAR_WHATSAPP_PHONE_NUMBER_ID": "1",
                "MASSAR_WHATSAPP_VERIFY_TOKEN": "v",
            },
            "MASSAR_WHATSAPP_APP_SECRET",
        ),
        ({"MASSAR_DEFAULT_LANGUAGE": "de"}, "default_language"),
    ],
)
def test_wrong_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert named in str(caught.value)


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("MASSAR_"):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///./massar.db"
    assert (settings.timezone, settings.default_language) == ("Africa/Tunis", "fr")
    assert (settings.telegram_driver, settings.telegram_mode) == ("aiogram", "polling")


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        await engine.dispose()
        return list(diff)

    return asyncio.run(run())


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    assert _diff(database_url) == []


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    downgrade(database_url, "base")
    upgrade(database_url)
    assert _diff(database_url) == []
