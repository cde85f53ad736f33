"""A WhatsApp deployment against the local Graph API double: settings, runtime, app client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from backend.app.main import create_app
from backend.runtime import Runtime
from backend.settings import Settings
from tests.bot.whatsapp.driver import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock


@pytest.fixture
async def graph() -> AsyncIterator[GraphApiDouble]:
    async with GraphApiDouble(TOKEN, PHONE_NUMBER_ID) as api:
        yield api


@pytest.fixture
def templates_file(tmp_path: Path) -> Path | None:
    """``None`` uses the bundled templates file; tests override it to change the set."""
    return None


@pytest.fixture
def wa_settings(
    settings: Settings, graph: GraphApiDouble, templates_file: Path | None
) -> Settings:
    update: dict[str, object] = {
        "whatsapp_token": SecretStr(TOKEN),
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_app_secret": SecretStr(APP_SECRET),
        "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
        "whatsapp_api_url": graph.url,
    }
    if templates_file is not None:
        update["whatsapp_templates"] = templates_file
    return settings.model_copy(update=update)


@pytest.fixture
async def wa_runtime(wa_settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    built = Runtime.build(wa_settings, clock=clock, raise_errors=True)
    yield built
    await built.stop_channels()
    await built.close()


@pytest.fixture
async def wa_client(wa_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=wa_runtime, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://massar.test") as http:
        yield http
