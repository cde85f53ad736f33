"""Handoff end to end: a person asks for someone on the web chat, staff answer through the API,
the answers reach the person, and closing gives them back to the bot."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.cases.models import Case
from backend.runtime import Runtime
from tests.api.conftest import StaffClient, make_staff, person_with_case, poll
from tests.backend.webchat_driver import WebChatUser
from tests.support import FakeClock


async def test_list_read_reply_canned_and_close(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    user, case_id = await person_with_case(client, runtime, "iess", lang="ar")
    await user.post(text="عندي سؤال على التكوين")

    listed = (await agent.get("/cases", params={"status": "open"})).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == case_id
    assert listed["items"][0]["program"] == "iess" and listed["items"][0]["reason"] == "requested"

    detail = (await agent.get(f"/cases/{case_id}")).json()
    assert [m["text"] for m in detail["messages"]] == ["عندي سؤال على التكوين"]
    assert detail["person"]["language"] == "ar" and detail["person"]["channel"] == "webchat"
    assert detail["transcript"][0]["direction"] == "out", "the bot's greeting"
    assert {line["direction"] for line in detail["transcript"]} == {"out"}, (
        "no consent yet: nothing the person typed before the case was kept"
    )

    clock.advance(timedelta(minutes=7))
    sent = await agent.post(f"/cases/{case_id}/messages", {"text": "مرحبا، نعم"})
    assert sent.status_code == 201, sent.text
    canned = await agent.post(f"/cases/{case_id}/messages", {"canned": "training_dates"})
    assert canned.status_code == 201
    messages = await poll(client, runtime, user)
    assert messages[0]["text"] == "Agent · IESS\nمرحبا، نعم", "signed: first name · team"
    signature, _, canned_text = messages[1]["text"].partition("\n")
    assert signature == "Agent · IESS"
    assert canned_text.startswith("لم تحدد مواعيد التكوين"), "in the person's language"
    assert all(m["dir"] == "rtl" for m in messages)

    closed = await agent.post(f"/cases/{case_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    messages = await poll(client, runtime, user)
    assert [c["label"] for c in messages[-1]["choices"]][:5] == ["1", "2", "3", "4", "5"]
    await user.press("4")
    case = (await agent.get(f"/cases/{case_id}")).json()
    assert case["satisfaction"] == 4
    assert case["assigned_to"] == agent.id, "the first reply takes the case"
    assert case["first_response_at"] is not None and case["closed_at"] is not None
    async with runtime.sessions() as session:
        row = await session.get(Case, case_id)
    assert row is not None and row.first_response_at is not None
    assert (row.first_response_at - row.opened_at) == timedelta(minutes=7)
    assert (await agent.post(f"/cases/{case_id}/messages", {"text": "?"})).status_code == 409
    assert (await agent.post(f"/cases/{case_id}/close")).status_code == 409
    assert (await agent.get("/cases", params={"status": "open"})).json()["total"] == 0


async def test_assign_defaults_to_self_and_checks_the_colleague(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    outsider = await make_staff(runtime, client, role="agent", programs=("utss-cad",))
    _, case_id = await person_with_case(client, runtime, "iess")

    mine = await supervisor.post(f"/cases/{case_id}/assign")
    assert mine.status_code == 200 and mine.json()["assigned_to"] == supervisor.id
    theirs = await supervisor.post(f"/cases/{case_id}/assign", {"staff_id": agent.id})
    assert theirs.json()["assigned_to"] == agent.id and theirs.json()["assigned_at"]
    assert (await agent.get("/cases", params={"assigned_to": agent.id})).json()["total"] == 1
    refused = await supervisor.post(f"/cases/{case_id}/assign", {"staff_id": outsider.id})
    assert refused.status_code == 422, "the colleague cannot see this program"
    nobody = await supervisor.post(f"/cases/{case_id}/assign", {"staff_id": 99999})
    assert nobody.status_code == 422
    unknown = await supervisor.post(f"/cases/{case_id}/assign", {"staff_id": 1, "x": 1})
    assert unknown.status_code == 422, "unknown fields are refused"
    staff = (await supervisor.get("/staff")).json()
    assert {s["id"] for s in staff["items"]} == {supervisor.id, agent.id}


async def test_reply_validation_and_canned_list(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    _, case_id = await person_with_case(client, runtime, "iess")
    for body in ({}, {"text": "a", "canned": "greeting"}, {"text": "  "}, {"text": "a\x00"}):
        response = await admin.post(f"/cases/{case_id}/messages", body)
        assert response.status_code == 422, body
    unknown = await admin.post(f"/cases/{case_id}/messages", {"canned": "no_such_reply"})
    assert unknown.status_code == 422
    replies = (await admin.get("/canned-replies")).json()
    assert replies["total"] == len(replies["items"]) >= 3
    assert set(replies["items"][0]["text"]) == {"ar", "fr", "en", "pt"}


async def test_french_person_gets_the_french_canned_reply(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user: WebChatUser
    user, case_id = await person_with_case(client, runtime, "utss-cad", lang="fr")
    assert (
        await admin.post(f"/cases/{case_id}/messages", {"canned": "greeting"})
    ).status_code == 201
    messages = await poll(client, runtime, user)
    assert messages[0]["text"].startswith("Admin · UTSS")
    assert messages[0]["text"].partition("\n")[2].startswith("Bonjour, ici un membre")
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case).where(Case.id == case_id))
    assert case is not None and case.assigned_to == admin.id
