"""The audit log records reads, exports, decisions, replies and erasures, with ids only, and
can be neither edited through the app nor changed in the database."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from tests.api.conftest import StaffClient, make_staff, person_with_application, poll
from tests.support import PERSONAL_NAME


async def test_every_sensitive_action_leaves_a_row_without_personal_values(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    user, application_id = await person_with_application(client, runtime, "iess")
    await user.say("agent")
    person = await user.beneficiary()
    assert person is not None
    case_id = (await supervisor.get("/cases")).json()["items"][0]["id"]

    await supervisor.get(f"/cases/{case_id}")
    await supervisor.get(f"/applications/{application_id}")
    await supervisor.get(f"/beneficiaries/{person.id}")
    await supervisor.get("/beneficiaries", params={"q": PERSONAL_NAME})
    await supervisor.get("/applications/export.csv", params={"program": "iess"})
    await supervisor.post(f"/cases/{case_id}/messages", {"text": f"Bonjour {PERSONAL_NAME}"})
    await supervisor.post(
        f"/applications/{application_id}/decision",
        {"status": "accepted", "note": f"Bravo {PERSONAL_NAME}"},
    )
    await poll(client, runtime, user)
    await supervisor.delete(f"/beneficiaries/{person.id}")

    rows = (await admin.get("/audit", params={"staff_id": supervisor.id, "limit": 200})).json()
    seen = {(r["action"], r["object_type"], r["object_id"]) for r in rows["items"]}
    assert {
        ("read", "case", str(case_id)),
        ("read", "application", str(application_id)),
        ("read", "beneficiary", str(person.id)),
        ("search", "beneficiary", None),
        ("export", "application", "iess"),
        ("reply", "case", str(case_id)),
        ("decide", "application", str(application_id)),
        ("erase", "beneficiary", str(person.id)),
    } <= seen
    assert all(r["staff_id"] == supervisor.id and r["at"] for r in rows["items"])
    text = str(rows)
    for value in (PERSONAL_NAME, "Bravo", "Bonjour", "+216", "kasserine", user.session):
        assert value not in text
    erase = (await admin.get("/audit", params={"action": "erase"})).json()
    assert erase["total"] == 1 and erase["items"][0]["object_id"] == str(person.id)


async def test_the_app_offers_no_way_to_change_the_log(
    client: httpx.AsyncClient, admin: StaffClient
) -> None:
    await admin.get("/me")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/api/v1/audit", headers=admin.headers)
        assert response.status_code == 405
    assert (await client.delete("/api/v1/audit/1", headers=admin.headers)).status_code == 404


async def test_the_database_refuses_to_update_or_delete_audit_rows(
    runtime: Runtime, client: httpx.AsyncClient, admin: StaffClient
) -> None:
    await admin.get("/applications")
    for statement in (
        update(AuditEntry).values(action="nothing"),
        delete(AuditEntry),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with runtime.sessions() as session, session.begin():
                await session.execute(statement)
    async with runtime.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions == ["list"]
