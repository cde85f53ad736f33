"""Shared fixtures. Database tests run on SQLite, and on PostgreSQL too when
``MASSAR_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from backend.app.main import create_app
from backend.db.migrate import upgrade
from backend.db.session import make_engine
from backend.runtime import Runtime
from backend.settings import Settings
from conversations.content_loader import Content, load_content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from tests.support import FakeClock

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("MASSAR_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(ROOT / "locales")


@pytest.fixture
def engine(content: Content, catalogs: Catalogs) -> Engine:
    return Engine(content=content, catalogs=catalogs, raise_errors=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _database_params() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


async def _reset_postgres(url: str) -> None:
    db = make_engine(url)
    async with db.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await db.dispose()


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated database: a SQLite file, or the test PostgreSQL emptied."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'massar.db'}"
    else:
        assert POSTGRES_URL is not None
        url = POSTGRES_URL
        asyncio.run(_reset_postgres(url))
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    built = Runtime.build(settings, clock=clock, raise_errors=True)
    yield built
    await built.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://massar.test") as http:
        yield http
