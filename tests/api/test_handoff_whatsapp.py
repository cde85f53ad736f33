"""Handoff through the API for a person on WhatsApp (the Graph API double): a staff reply
reaches them there, inside the 24-hour window."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from backend.app.main import create_app
from backend.runtime import Runtime
from backend.settings import Settings
from tests.api.conftest import make_staff
from tests.bot.whatsapp.driver import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    VERIFY_TOKEN,
    WhatsAppPerson,
)
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock


@pytest.fixture
async def graph() -> AsyncIterator[GraphApiDouble]:
    async with GraphApiDouble(TOKEN, PHONE_NUMBER_ID) as api:
        yield api


@pytest.fixture
async def wa(
    settings: Settings, graph: GraphApiDouble, clock: FakeClock
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    configured = settings.model_copy(
        update={
            "whatsapp_token": SecretStr(TOKEN),
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
            "whatsapp_api_url": graph.url,
        }
    )
    runtime = Runtime.build(configured, clock=clock, raise_errors=True)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime, background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://massar.test") as http:
        yield runtime, http
    await runtime.stop_channels()
    await runtime.close()


async def test_staff_answer_a_whatsapp_person_through_the_api(
    wa: tuple[Runtime, httpx.AsyncClient], graph: GraphApiDouble
) -> None:
    runtime, http = wa
    person = WhatsAppPerson(http, runtime, graph)
    await person.say("Bonjour")
    await person.say("agent")
    admin = await make_staff(runtime, http, role="admin")
    case_id = (await admin.get("/cases", params={"status": "open"})).json()["items"][0]["id"]
    assert (await admin.get(f"/cases/{case_id}")).json()["person"]["channel"] == "whatsapp"

    seen = len(graph.to(person.wa_id))
    sent = await admin.post(f"/cases/{case_id}/messages", {"text": "Bonjour, je vous écoute."})
    assert sent.status_code == 201
    await person.flush()
    delivered = graph.to(person.wa_id)[seen:]
    assert len(delivered) == 1 and "Bonjour, je vous écoute." in str(delivered[0])
