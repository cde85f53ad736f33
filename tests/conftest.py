"""Shared fixtures. Database tests run on SQLite, and on PostgreSQL too when
``MASSAR_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import asyncio
import os
import shutil
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

#: Writes out the tasks a hung teardown waits for (see the module).
pytest_plugins = ("tests.teardown_watch",)

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


async def _empty_postgres(url: str) -> bool:
    """Empty every table of an already migrated database; ``False`` when it is not at head."""
    db = make_engine(url)
    try:
        async with db.begin() as connection:
            found = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            tables = {name for (name,) in found}
            if "alembic_version" not in tables:
                return False
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            data_tables = sorted(tables - {"alembic_version"})
            if version != _HEAD or not data_tables:
                return False
            quoted = ", ".join(f'"{name}"' for name in data_tables)
            await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        return True
    finally:
        await db.dispose()


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from backend.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


_HEAD = _head_revision()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated once; each test gets a copy (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "massar.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    """A freshly migrated, empty database: a copy of the migrated SQLite file, or the test
    PostgreSQL emptied (rebuilt from scratch when a test left it off the head revision)."""
    if request.param == "sqlite":
        target = tmp_path / "massar.db"
        shutil.copyfile(migrated_sqlite, target)
        return f"sqlite+aiosqlite:///{target}"
    assert POSTGRES_URL is not None
    if not asyncio.run(_empty_postgres(POSTGRES_URL)):
        asyncio.run(_reset_postgres(POSTGRES_URL))
        upgrade(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Files people send go to the test's own folder, never to ./data.
    return Settings(database_url=database_url, data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


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
