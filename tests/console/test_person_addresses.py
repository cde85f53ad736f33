"""Staff see every address a person writes from: the person page, the case page, the search,
the data file given to the person and the API's record."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.cases.models import Case
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from tests.api.conftest import make_staff
from tests.console.records import person_with_application, staff_client

NUMBER = "+21655111222"


async def two_addresses(runtime: Runtime) -> tuple[int, str]:
    """A person who applied from a test channel and also writes from WhatsApp (used last)."""
    person_id, _, reference = await person_with_application(runtime)
    async with runtime.sessions() as session, session.begin():
        person = await session.get(Beneficiary, person_id)
        assert person is not None
        await add_address(
            session,
            person,
            now=runtime.clock(),
            channel="whatsapp",
            address=NUMBER,
            language="fr",
            last_inbound_at=runtime.clock() + timedelta(minutes=1),
        )
        session.add(
            Case(
                beneficiary_id=person_id,
                program="iess",
                reason="requested",
                opened_at=runtime.clock(),
                attachments=[],
            )
        )
    return person_id, reference


async def test_the_person_page_the_case_and_the_search_show_every_address(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, reference = await two_addresses(runtime)
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = (await agent.get(f"/console/people/{person_id}")).text
    table = page[page.index('id="addresses"') :]
    assert table.index("whatsapp") < table.index("test"), "the one used last first"
    assert f'<bdi dir="ltr">{NUMBER}</bdi>' in table, "numbers stay left to right"
    assert "addr-" in table
    async with runtime.sessions() as session:
        case_id = await session.scalar(select(Case.id).where(Case.beneficiary_id == person_id))
    case_page = (await agent.get(f"/console/cases/{case_id}")).text
    assert 'id="addresses"' in case_page and f'<bdi dir="ltr">{NUMBER}</bdi>' in case_page
    found = (await agent.get("/console/people", params={"q": reference})).text
    assert "test, whatsapp" in found
    data = json.loads((await agent.get(f"/console/people/{person_id}/data.json")).text)
    assert [a["channel"] for a in data["addresses"]] == ["whatsapp", "test"]
    assert data["addresses"][0]["address"] == NUMBER


async def test_the_api_record_lists_the_addresses(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, _ = await two_addresses(runtime)
    staff = await make_staff(runtime, client, role="agent", programs=("iess",))
    body = (await staff.get(f"/beneficiaries/{person_id}")).json()
    assert [sorted(a) for a in body["addresses"]] == [
        ["address", "channel", "id", "language", "last_inbound_at"]
    ] * 2
    first = body["addresses"][0]
    assert (first["channel"], first["address"]) == ("whatsapp", NUMBER)
    listed = (await staff.get("/beneficiaries")).json()
    assert listed["total"] == 1, "two addresses, one person"
