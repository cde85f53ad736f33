"""Merging, unlinking and undoing in the console (httpx through the app): the three merge
steps, the confirmations, the scope, and the refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.applications.models import Application
from backend.people.models import Address, Beneficiary
from backend.runtime import Runtime
from tests.console.records import person_with_application, staff_client


async def with_address(runtime: Runtime, person_id: int, *, minutes: int = 0) -> int:
    """Date the address replies go to (the one the person was made with) ``minutes`` from
    now, so that one of two people is the newer; its id."""
    async with runtime.sessions() as session, session.begin():
        person = await session.get(Beneficiary, person_id)
        assert person is not None
        seen = runtime.clock() + timedelta(minutes=minutes)
        person.last_inbound_at = seen
        address = await session.scalar(
            select(Address).where(
                Address.beneficiary_id == person_id,
                Address.channel == person.channel,
                Address.address == person.address,
            )
        )
        assert address is not None
        address.last_inbound_at = seen
        return address.id


async def two_people(runtime: Runtime, other_program: str = "iess") -> tuple[int, int]:
    """An older person in Kasserine and a newer one in Sfax, each with one address."""
    first, _, _ = await person_with_application(runtime)
    second, _, _ = await person_with_application(
        runtime,
        program=other_program,
        governorate="sfax",
        answers={"full_name": "Zeineb Bis", "phone": "+21698000111"},
    )
    await with_address(runtime, first)
    await with_address(runtime, second, minutes=10)
    return first, second


async def test_merge_in_three_steps_with_a_choice_then_undo(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    first, second = await two_people(runtime)
    agent, csrf, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    record = (await agent.get(f"/console/people/{first}")).text
    assert f'href="/console/people/{first}/merge"' in record
    assert 'id="addresses"' in record

    pick = (await agent.get(f"/console/people/{first}/merge", params={"q": "Bis"})).text
    assert f'href="/console/people/{first}/merge/{second}"' in pick
    assert f'href="/console/people/{first}/merge/{first}"' not in pick, "not oneself"

    preview = (await agent.get(f"/console/people/{first}/merge/{second}")).text
    radios = re.findall(
        r'<input type="radio" name="keep\.governorate" value="(\w+)"( checked)?', preview
    )
    assert radios == [("survivor", ""), ("absorbed", " checked")], "the newer answer is chosen"
    assert "Kasserine" in preview and "Sfax" in preview

    response = await agent.post(
        f"/console/people/{first}/merge/{second}",
        data={"csrf_token": csrf, "keep.governorate": "survivor"},
    )
    assert response.status_code == 303 and response.headers["location"].endswith(
        f"?merged={second}"
    )
    async with runtime.sessions() as session:
        merged = await session.get(Beneficiary, first)
        assert merged is not None and merged.profile["governorate"] == "kasserine"
        assert await session.get(Beneficiary, second) is None
        owners = set(await session.scalars(select(Application.beneficiary_id)))
        assert owners == {first}
    record = (await agent.get(f"/console/people/{first}?merged={second}")).text
    assert "governorate" in record and "«sfax»" in record, "the conflict is listed"
    undo = re.search(rf'href="(/console/people/{first}/merges/(\d+)/undo)"', record)
    assert undo is not None
    confirm = (await agent.get(undo.group(1))).text
    assert f'action="{undo.group(1)}"' in confirm, "a confirmation first"

    response = await agent.post(undo.group(1), data={"csrf_token": csrf})
    assert response.status_code == 303, response.text
    async with runtime.sessions() as session:
        back = await session.get(Beneficiary, second)
        assert back is not None and back.profile["governorate"] == "sfax"
    assert (await agent.get(f"/console/people/{second}")).status_code == 200


async def test_unlink_asks_first_and_a_last_address_stays(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    first, second = await two_people(runtime)
    admin, csrf, _ = await staff_client(runtime, client, role="admin")
    async with runtime.sessions() as session:
        own = await session.scalar(select(Address.id).where(Address.beneficiary_id == first))
    page = (await admin.get(f"/console/people/{first}/addresses/{own}/unlink")).text
    action = f'action="/console/people/{first}/addresses/{own}/unlink"'
    assert action not in page and 'id="refused"' in page, "nothing to confirm: the last address"
    response = await admin.post(
        f"/console/people/{first}/addresses/{own}/unlink", data={"csrf_token": csrf}
    )
    assert response.headers["location"].endswith("?error=last_address")
    shown = (await admin.get(response.headers["location"])).text
    assert "last address cannot be unlinked" in shown.replace("’", "'") or 'role="alert"' in shown

    response = await admin.post(
        f"/console/people/{first}/merge/{second}", data={"csrf_token": csrf}
    )
    assert response.status_code == 303
    record = (await admin.get(f"/console/people/{first}")).text
    assert record.count('/unlink"') == 2, "an Unlink per address once there are two"
    response = await admin.post(
        f"/console/people/{first}/addresses/{own}/unlink", data={"csrf_token": csrf}
    )
    location = response.headers["location"]
    assert "unlinked=" in location
    fresh = int(location.rsplit("=", 1)[1])
    assert fresh not in (first, second), "an address that came with no merge: a new person"


async def test_merging_is_scoped_and_protected(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    first, second = await two_people(runtime, other_program="utss-cad")
    agent, csrf, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    assert (await agent.get(f"/console/people/{first}/merge/{second}")).status_code == 404
    response = await agent.post(
        f"/console/people/{first}/merge/{second}", data={"csrf_token": csrf}
    )
    assert response.status_code == 404
    response = await agent.post(
        f"/console/people/{first}/merge/{first}", data={"csrf_token": csrf}
    )
    assert response.headers["location"].endswith("?error=same_person")
    response = await agent.post(f"/console/people/{first}/merge/{second}", data={})
    assert response.status_code in (403, 400), "no CSRF token, no merge"
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, second) is not None
