"""Staff merge two people and unlink an address through the API: conflicts, scope, refusals,
the audit, the counts, and the undo."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from tests.api.conftest import StaffClient, make_staff, person_with_application


async def _two(client: httpx.AsyncClient, runtime: Runtime, other: str = "iess") -> list[int]:
    """Two people who applied (to iess, and to ``other``), the second one the newer, with one
    answer they disagree on."""
    ids = []
    for program in ("iess", other):
        runtime.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        user, _ = await person_with_application(client, runtime, program)
        person = await user.beneficiary()
        assert person is not None
        ids.append(person.id)
    async with runtime.sessions() as session, session.begin():
        for person_id, city in zip(ids, ("tunis", "sfax"), strict=True):
            person = await session.get(Beneficiary, person_id)
            assert person is not None
            person.profile = {**person.profile, "governorate": city}
    return ids


async def _started(admin: StaffClient) -> int:
    stats = (await admin.get("/stats")).json()
    return int({p["program"]: p for p in stats["programs"]}["iess"]["started"])


async def test_staff_merge_two_people_choose_an_answer_and_undo_it(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    first, second = await _two(client, runtime)
    assert await _started(admin) == 2
    response = await admin.post(
        f"/beneficiaries/{first}/merge", {"other_id": second, "keep": {"governorate": "survivor"}}
    )
    assert response.status_code == 200, response.text
    merge = response.json()
    assert (merge["beneficiary_id"], merge["absorbed_id"]) == (first, second)
    assert merge["conflicts"] == [
        {"field": "governorate", "kept": "tunis", "dropped": "sfax", "from": "survivor"}
    ]
    assert merge["moved"]["applications"] == 1 and merge["moved"]["addresses"] == 1
    record = (await admin.get(f"/beneficiaries/{first}")).json()
    assert record["profile"]["governorate"] == "tunis"
    assert len(record["applications"]) == 2
    assert [a["channel"] for a in record["addresses"]] == ["webchat", "webchat"]
    assert (await admin.get(f"/beneficiaries/{second}")).status_code == 404
    assert await _started(admin) == 1, "one person, counted once"
    history = (await admin.get(f"/beneficiaries/{first}/merges")).json()
    assert [m["id"] for m in history] == [merge["id"]]

    theirs = [
        a for a in record["addresses"] if a["id"] != min(a["id"] for a in record["addresses"])
    ]
    response = await admin.post(f"/beneficiaries/{first}/addresses/{theirs[0]['id']}/unlink")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == second
    back = (await admin.get(f"/beneficiaries/{second}")).json()
    assert back["profile"]["governorate"] == "sfax" and len(back["applications"]) == 1
    assert len((await admin.get(f"/beneficiaries/{first}")).json()["applications"]) == 1
    assert await _started(admin) == 2
    undone = (await admin.get(f"/beneficiaries/{first}/merges")).json()[0]
    assert undone["undone_at"] is not None
    assert undone["conflicts"] == [{"field": "governorate", "from": "survivor"}]

    async with runtime.sessions() as session:
        audited = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id).where(
                    AuditEntry.staff_id == admin.id, AuditEntry.action.in_(("merge", "unlink"))
                )
            )
        ).all()
    assert sorted(audited) == sorted(
        [
            ("merge", "beneficiary", str(first)),
            ("merge", "beneficiary", str(second)),
            ("merge", "person_merge", str(merge["id"])),
            ("unlink", "address", str(theirs[0]["id"])),
            ("unlink", "beneficiary", str(first)),
        ]
    )


async def test_the_newer_answer_wins_without_a_choice(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    first, second = await _two(client, runtime)
    merge = (await admin.post(f"/beneficiaries/{first}/merge", {"other_id": second})).json()
    assert merge["conflicts"][0]["kept"] == "sfax" and merge["conflicts"][0]["from"] == "absorbed"


async def test_an_agent_merges_only_people_of_their_programs(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    first, second = await _two(client, runtime, other="essor-biosp")
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    response = await agent.post(f"/beneficiaries/{first}/merge", {"other_id": second})
    assert response.status_code == 404, "the other person is not theirs: as if unknown"
    response = await agent.post(f"/beneficiaries/{second}/merge", {"other_id": first})
    assert response.status_code == 404
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, second) is not None
    both = await make_staff(runtime, client, role="agent", programs=("iess", "essor-biosp"))
    response = await both.post(f"/beneficiaries/{first}/merge", {"other_id": second})
    assert response.status_code == 200, response.text


async def test_refusals_are_clear(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    first, second = await _two(client, runtime)
    merge = f"/beneficiaries/{first}/merge"
    assert (await admin.post(merge, {"other_id": first})).status_code == 409
    assert (await admin.post(merge, {"other_id": 2_000_000})).status_code == 404
    assert (await admin.post(merge, {"other_id": 0})).status_code == 422
    assert (
        await admin.post(merge, {"other_id": second, "keep": {"x": "both"}})
    ).status_code == 422
    assert (
        await admin.post("/beneficiaries/2000000/merge", {"other_id": first})
    ).status_code == 404
    own = (await admin.get(f"/beneficiaries/{first}")).json()["addresses"][0]["id"]
    other = (await admin.get(f"/beneficiaries/{second}")).json()["addresses"][0]["id"]
    response = await admin.post(f"/beneficiaries/{first}/addresses/{own}/unlink")
    assert response.status_code == 409, "a person's last address stays"
    response = await admin.post(f"/beneficiaries/{first}/addresses/{other}/unlink")
    assert response.status_code == 404, "not this person's address"
    assert (await admin.get("/beneficiaries/2000000/merges")).status_code == 404
