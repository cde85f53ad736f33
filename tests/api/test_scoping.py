"""Program scope and roles: an agent of A gets 404 on every object of B and sees none of them;
roles decide who assigns, decides, erases and reads the audit log."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from backend.cases.models import Case
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from tests.api.conftest import (
    StaffClient,
    make_staff,
    person_with_application,
    person_with_case,
)
from tests.backend.webchat_driver import WebChatUser


async def _people(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, int]:
    """One person per program with an application and an open case; ids by name."""
    ids: dict[str, int] = {}
    for key, program in (("a", "iess"), ("b", "utss-cad")):
        user, application_id = await person_with_application(client, runtime, program)
        await user.say("agent")
        person = await user.beneficiary()
        assert person is not None
        async with runtime.sessions() as session:
            case_id = await session.scalar(select(Case.id).where(Case.beneficiary_id == person.id))
        assert case_id is not None
        ids |= {f"{key}_app": application_id, f"{key}_case": case_id, f"{key}_person": person.id}
    return ids


async def test_agent_of_a_gets_404_on_b_and_sees_none_of_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ids = await _people(client, runtime)
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    for staff in (agent, supervisor):
        for path in (
            f"/cases/{ids['b_case']}",
            f"/applications/{ids['b_app']}",
            f"/beneficiaries/{ids['b_person']}",
        ):
            response = await staff.get(path)
            assert response.status_code == 404, path
            assert "utss" not in response.text.lower()
        for path, body in (
            (f"/cases/{ids['b_case']}/messages", {"text": "hello"}),
            (f"/cases/{ids['b_case']}/close", None),
        ):
            assert (await staff.post(path, body)).status_code == 404, path
        assert (await staff.get(f"/cases/{ids['a_case']}")).status_code == 200
        assert (await staff.get(f"/applications/{ids['a_app']}")).status_code == 200
        assert (await staff.get(f"/beneficiaries/{ids['a_person']}")).status_code == 200

        cases = (await staff.get("/cases")).json()
        assert [c["id"] for c in cases["items"]] == [ids["a_case"]] and cases["total"] == 1
        applications = (await staff.get("/applications")).json()
        assert [a["id"] for a in applications["items"]] == [ids["a_app"]]
        assert (await staff.get("/applications", params={"program": "utss-cad"})).json() == {
            "items": [],
            "total": 0,
        }
        people = (await staff.get("/beneficiaries")).json()
        assert [p["id"] for p in people["items"]] == [ids["a_person"]]
        assert (await staff.get("/beneficiaries", params={"q": "UTSS"})).json()["total"] == 0
        export = await staff.get("/applications/export.csv", params={"program": "utss-cad"})
        assert export.status_code == 404
        mine = await staff.get("/applications/export.csv", params={"program": "iess"})
        rows = list(csv.DictReader(io.StringIO(mine.text.lstrip("\ufeff"))))
        assert {r["program"] for r in rows} == {"iess"}
        stats = (await staff.get("/stats")).json()
        assert [p["program"] for p in stats["programs"]] == ["iess"]

    for path, body in (
        (f"/cases/{ids['b_case']}/assign", None),
        (f"/applications/{ids['b_app']}/decision", {"status": "accepted"}),
    ):
        assert (await supervisor.post(path, body)).status_code == 404, path
    assert (await supervisor.delete(f"/beneficiaries/{ids['b_person']}")).status_code == 404


async def test_general_cases_are_for_supervisors_and_admins(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.say("agent")
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None and case.program is None
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    assert (await agent.get(f"/cases/{case.id}")).status_code == 404
    assert (await agent.get("/cases")).json()["total"] == 0
    assert (await supervisor.get(f"/cases/{case.id}")).status_code == 200
    assert (await supervisor.get("/cases")).json()["total"] == 1
    assert (await admin.get("/cases")).json()["total"] == 1


async def test_roles(client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient) -> None:
    _, case_id = await person_with_case(client, runtime, "iess")
    user, application_id = await person_with_application(client, runtime, "iess")
    person = await user.beneficiary()
    assert person is not None
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    forbidden = [
        ("post", f"/cases/{case_id}/assign", None),
        ("post", f"/applications/{application_id}/decision", {"status": "accepted"}),
        ("delete", f"/beneficiaries/{person.id}", None),
        ("get", "/audit", None),
        ("get", "/staff", None),
    ]
    for method, path, body in forbidden:
        call = (
            agent.delete(path)
            if method == "delete"
            else (agent.get(path) if method == "get" else agent.post(path, body))
        )
        response = await call
        assert response.status_code == 403, f"{method} {path}"
    assert (await supervisor.get("/audit")).status_code == 403
    assert (await agent.post(f"/cases/{case_id}/messages", {"text": "Bonjour"})).status_code == 201
    assert (await supervisor.post(f"/cases/{case_id}/assign")).status_code == 200
    decided = await supervisor.post(
        f"/applications/{application_id}/decision", {"status": "rejected"}
    )
    assert decided.status_code == 200
    assert (await supervisor.delete(f"/beneficiaries/{person.id}")).status_code == 204
    assert (await admin.get("/audit")).status_code == 200
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, person.id) is None
