"""Applications through the API: filters, detail, decisions the person hears about, needs_info,
and exports with one column per form field."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from backend.applications.models import Application
from backend.runtime import Runtime
from tests.api.conftest import StaffClient, make_staff, person_with_application, poll
from tests.support import PERSONAL_NAME, FakeClock


async def test_list_filters_and_detail(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient, clock: FakeClock
) -> None:
    _, iess = await person_with_application(client, runtime, "iess")
    clock.advance(timedelta(days=3))
    _, utss = await person_with_application(client, runtime, "utss-cad")

    everything = (await admin.get("/applications")).json()
    assert everything["total"] == 2 and [a["id"] for a in everything["items"]] == [utss, iess]
    first = everything["items"][1]
    assert first["full_name"] == PERSONAL_NAME and first["governorate"] == "kasserine"
    assert first["status"] == "submitted" and first["reference"].startswith("IESS-2026-")

    async def ids(**params: str) -> list[int]:
        response = await admin.get("/applications", params=params)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert await ids(program="iess") == [iess]
    assert await ids(governorate="beja") == [utss]
    assert await ids(status="accepted") == []
    assert await ids(submitted_from="2026-11-24") == [utss]
    assert await ids(submitted_to="2026-11-23") == [iess]
    assert await ids(submitted_from="2026-11-23", submitted_to="2026-11-26") == [utss, iess]
    assert (await admin.get("/applications", params={"status": "lost"})).status_code == 422
    page = (await admin.get("/applications", params={"limit": 1, "offset": 1})).json()
    assert page == {"items": [everything["items"][1]], "total": 2}

    detail = (await admin.get(f"/applications/{iess}")).json()
    fields = [a["field"] for a in detail["answers"]]
    form = [q.id for q in runtime.content.programs["iess"].form]
    assert fields == [f for f in form if f in fields] and fields[:2] == ["full_name", "phone"]
    assert detail["answers"][0]["question"] and detail["answers"][0]["value"] == PERSONAL_NAME
    assert [e["status"] for e in detail["events"]] == ["submitted"]
    assert (await admin.get("/applications/999999")).status_code == 404


async def test_decisions_reach_the_person_in_their_language(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    user, application_id = await person_with_application(client, runtime, "iess", lang="en")
    response = await supervisor.post(
        f"/applications/{application_id}/decision",
        {"status": "waitlisted", "note": "We open new places in March."},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "waitlisted"
    messages = await poll(client, runtime, user)
    assert "waiting list" in messages[0]["text"]
    assert "We open new places in March." in messages[0]["text"]
    accepted = await supervisor.post(
        f"/applications/{application_id}/decision", {"status": "accepted"}
    )
    assert accepted.status_code == 200
    assert "accepted" in (await poll(client, runtime, user))[0]["text"]
    history = (await supervisor.get(f"/applications/{application_id}")).json()["events"]
    assert [(e["status"], e["staff_id"]) for e in history] == [
        ("submitted", None),
        ("waitlisted", supervisor.id),
        ("accepted", supervisor.id),
    ]


async def test_needs_info_through_the_api(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user, application_id = await person_with_application(client, runtime, "utss-cad")
    bad = [
        {"status": "needs_info"},
        {"status": "needs_info", "fields": ["favourite_colour"]},
        {"status": "maybe"},
        {"status": "accepted", "extra": True},
    ]
    for body in bad:
        response = await admin.post(f"/applications/{application_id}/decision", body)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)
    asked = await admin.post(
        f"/applications/{application_id}/decision",
        {"status": "needs_info", "note": "Un autre numéro ?", "fields": ["phone"]},
    )
    assert asked.status_code == 200 and asked.json()["status"] == "needs_info"
    messages = await poll(client, runtime, user)
    assert "Un autre numéro ?" in messages[0]["text"]
    await user.say("22 333 444")
    detail = (await admin.get(f"/applications/{application_id}")).json()
    assert detail["status"] == "submitted"
    assert {a["field"]: a["value"] for a in detail["answers"]}["phone"] == "+21622333444"
    assert [e["status"] for e in detail["events"]] == ["submitted", "needs_info", "submitted"]
    assert detail["events"][1]["fields"] == ["phone"]


async def test_exports_have_one_column_per_form_field(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    await person_with_application(client, runtime, "iess")
    await person_with_application(client, runtime, "utss-cad")
    async with runtime.sessions() as session, session.begin():
        application = await session.scalar(
            select(Application).where(Application.program == "iess")
        )
        assert application is not None
        application.answers = {**application.answers, "project_idea": "=HYPERLINK(1)"}
    form = [q.id for q in runtime.content.programs["iess"].form]

    response = await admin.get("/applications/export.csv", params={"program": "iess"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert list(rows[0])[7:] == form
    assert rows[0]["full_name"] == PERSONAL_NAME and rows[0]["program"] == "iess"
    assert rows[0]["project_idea"] == "'=HYPERLINK(1)", "formula injection defused"
    assert rows[0]["phone"] == "'+21698123456"
    assert rows[0]["amount_needed"].count(".") == 1, "amounts in dinars, not millimes"

    xlsx = await admin.get("/applications/export.xlsx", params={"program": "iess"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header, *data = [[c.value for c in row] for row in sheet.iter_rows()]
    assert header[7:] == form and len(data) == 1
    cell = sheet.cell(row=2, column=header.index("project_idea") + 1)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s", "text, never a formula"

    everything = await admin.get("/applications/export.csv")
    assert len(list(csv.DictReader(io.StringIO(everything.text.lstrip("\ufeff"))))) == 2
    unknown = await admin.get("/applications/export.csv", params={"program": "no-such"})
    assert unknown.status_code == 404
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    assert (await agent.get("/applications/export.csv")).status_code == 422, "program needed"
    assert (
        await agent.get("/applications/export.csv", params={"program": "iess"})
    ).status_code == 200
