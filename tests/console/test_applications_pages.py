"""The applications pages (httpx through the app): labelled answers in the staff language,
filters and counts, decisions through the decision service, exports, scope and audit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from backend.applications.models import Application, ApplicationEvent
from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from tests.console.records import person_with_application, staff_client


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    signed_in, _, _ = await staff_client(runtime, client, role="admin")
    async with signed_in:
        yield signed_in


async def audit_actions(runtime: Runtime) -> list[tuple[str, str, str | None]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id).order_by(
                AuditEntry.id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_the_detail_shows_answers_as_labels_in_the_staff_language(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _, app_id, reference = await person_with_application(runtime, language="ar")
    french, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = (await french.get(f"/console/applications/{app_id}")).text
    assert reference in page
    assert "15\u202f000,000\xa0DT" in page, "the amount in dinars, not 15000000 millimes"
    assert "Artisanat" in page and "crafts" not in page.split("<main")[-1].split("data-field")[0]
    assert "Université" in page or "universit" in page.lower()
    assert ("read", "application", str(app_id)) in await audit_actions(runtime)
    english, _, _ = await staff_client(
        runtime, client, role="agent", programs=["iess"], language="en"
    )
    assert "Crafts" in (await english.get(f"/console/applications/{app_id}")).text


async def test_an_agent_gets_404_for_another_programs_application(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _, app_id, _ = await person_with_application(runtime, program="utss-cad")
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    response = await agent.get(f"/console/applications/{app_id}")
    assert response.status_code == 404
    assert "Zeineb" not in response.text
    listed = (await agent.get("/console/applications")).text
    assert "UTSS-2026" not in listed


async def test_filters_and_counts_per_status(runtime: Runtime, admin: httpx.AsyncClient) -> None:
    await person_with_application(runtime, status="accepted", governorate="kasserine")
    await person_with_application(runtime, status="accepted", governorate="mahdia")
    await person_with_application(runtime, status="rejected", governorate="kasserine")
    _, _, old = await person_with_application(runtime, days_ago=40)
    page = (await admin.get("/console/applications?governorate=kasserine")).text
    assert 'data-count="accepted">1<' in page and 'data-count="rejected">1<' in page
    page = (await admin.get("/console/applications?status=accepted")).text
    assert '<strong id="total">2</strong>' in page
    recent = (await admin.get("/console/applications?submitted_from=2026-11-01")).text
    assert old not in recent and '<strong id="total">3</strong>' in recent
    bad = await admin.get("/console/applications?status=<script>&submitted_from=tomorrow")
    assert bad.status_code == 200 and '<strong id="total">4</strong>' in bad.text


async def test_a_decision_is_recorded_audited_and_queued_for_the_person(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, app_id, reference = await person_with_application(runtime, language="fr")
    supervisor, csrf, staff_id = await staff_client(
        runtime, client, role="supervisor", programs=["iess"]
    )
    refused = await supervisor.post(
        f"/console/applications/{app_id}/decision", data={"status": "accepted"}
    )
    assert refused.status_code == 403, "no CSRF token, no decision"
    response = await supervisor.post(
        f"/console/applications/{app_id}/decision",
        data={"status": "needs_info", "fields": ["phone"], "note": "", "csrf_token": csrf},
    )
    assert response.status_code == 303
    async with runtime.sessions() as session:
        application = await session.get(Application, app_id)
        event = await session.scalar(select(ApplicationEvent))
        queued = list(
            await session.scalars(
                select(OutboxMessage.payload).where(OutboxMessage.beneficiary_id == person_id)
            )
        )
    assert application is not None and application.status == "needs_info"
    assert event is not None and (event.fields, event.staff_id) == (["phone"], staff_id)
    assert any(reference in p["text"] for p in queued), "the person is told"
    assert ("decide", "application", str(app_id)) in await audit_actions(runtime)
    detail = (await supervisor.get(f"/console/applications/{app_id}")).text
    assert "Staff" in detail and "Information" in detail


async def test_needs_info_without_fields_is_refused_and_changes_nothing(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _, app_id, _ = await person_with_application(runtime)
    supervisor, csrf, _ = await staff_client(runtime, client, role="supervisor", programs=["iess"])
    response = await supervisor.post(
        f"/console/applications/{app_id}/decision",
        data={"status": "needs_info", "csrf_token": csrf},
    )
    assert response.headers["location"].endswith("?error=decision")
    async with runtime.sessions() as session:
        assert (await session.get(Application, app_id)).status == "submitted"  # type: ignore[union-attr]


async def test_an_agent_cannot_decide(runtime: Runtime, client: httpx.AsyncClient) -> None:
    _, app_id, _ = await person_with_application(runtime)
    agent, csrf, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    response = await agent.post(
        f"/console/applications/{app_id}/decision",
        data={"status": "accepted", "csrf_token": csrf},
    )
    assert response.status_code == 403


async def test_exports_use_the_list_filters_and_are_audited(
    runtime: Runtime, client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await person_with_application(runtime, status="accepted")
    await person_with_application(runtime, status="rejected")
    csv = await admin.get("/console/applications/export.csv?program=iess&status=accepted")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 2, "a header and the one accepted application"
    xlsx = await admin.get("/console/applications/export.xlsx?program=iess")
    assert xlsx.content[:2] == b"PK"
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    assert (await agent.get("/console/applications/export.csv")).status_code == 422
    other = await agent.get("/console/applications/export.csv?program=utss-cad")
    assert other.status_code == 404, "another program's export does not exist for this agent"
    assert ("export", "application", "iess") in await audit_actions(runtime)
