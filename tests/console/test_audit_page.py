"""The audit page: admins only, filtered by action, member of staff and day."""

from __future__ import annotations

import httpx

from backend.runtime import Runtime
from tests.console.records import person_with_application, staff_client


async def test_admins_filter_the_log_and_others_are_refused(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, _, _ = await person_with_application(runtime)
    agent, _, agent_id = await staff_client(runtime, client, role="agent", programs=["iess"])
    await agent.get(f"/console/people/{person_id}")
    await agent.get("/console/people?q=zeineb")
    assert (await agent.get("/console/audit")).status_code == 403
    admin, _, _ = await staff_client(runtime, client, role="admin")
    page = (await admin.get("/console/audit", params={"action": "read"})).text
    assert '<strong id="total">1</strong>' in page
    assert f'beneficiary <bdi dir="ltr">{person_id}</bdi>' in page
    by_staff = (await admin.get("/console/audit", params={"staff": agent_id})).text
    assert '<strong id="total">2</strong>' in by_staff
    later = (await admin.get("/console/audit", params={"from": "2026-11-24"})).text
    assert '<strong id="total">0</strong>' in later, "the test clock is on 23 November"
