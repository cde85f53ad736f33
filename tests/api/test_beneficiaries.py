"""Finding people, reading their record, and erasing it through the API."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.stats.models import FunnelStep
from tests.api.conftest import StaffClient, person_with_application
from tests.support import PERSONAL_NAME, TYPED_ANSWERS, find_values


async def test_search_by_name_phone_and_reference(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user, application_id = await person_with_application(client, runtime, "iess")
    await person_with_application(client, runtime, "essor-biosp")
    person = await user.beneficiary()
    assert person is not None
    reference = (await admin.get(f"/applications/{application_id}")).json()["reference"]

    async def found(q: str) -> list[int]:
        response = await admin.get("/beneficiaries", params={"q": q})
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert len(await found("ouergh")) == 2, "part of the name, any case"
    assert await found("98 123 456") == [person.id], "a phone written the local way"
    assert await found("+216 98123456") == [person.id]
    assert await found(reference.lower()) == [person.id]
    assert await found("nobody-like-this") == []
    assert await found("%") == [], "LIKE wildcards are literal"
    listed = (await admin.get("/beneficiaries", params={"q": reference})).json()["items"][0]
    assert listed["full_name"] == PERSONAL_NAME and listed["phone"] == "+21698123456"
    assert listed["references"] == [reference] and listed["programs"] == ["iess"]


async def test_record_lists_applications_cases_and_empty_loans(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user, application_id = await person_with_application(client, runtime, "iess")
    await user.say("agent")
    person = await user.beneficiary()
    assert person is not None
    record = (await admin.get(f"/beneficiaries/{person.id}")).json()
    assert [a["id"] for a in record["applications"]] == [application_id]
    assert len(record["cases"]) == 1 and record["cases"][0]["status"] == "open"
    assert record["profile"]["governorate"] == "kasserine"
    assert record["loans"] == [] and record["reminders"] == []
    assert record["consent_version"] == runtime.content.consent.version
    assert (await admin.get("/beneficiaries/424242")).status_code == 404


async def test_erasure_through_the_api_leaves_no_personal_data(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient
) -> None:
    user, application_id = await person_with_application(client, runtime, "iess")
    await user.say("agent")
    await user.post(text="Je suis à Kasserine, mon numéro 98 123 456")
    person = await user.beneficiary()
    assert person is not None
    case_id = (await admin.get("/cases")).json()["items"][0]["id"]
    await admin.post(f"/cases/{case_id}/messages", {"text": f"Bonjour {PERSONAL_NAME}"})
    await admin.post(
        f"/applications/{application_id}/decision",
        {"status": "waitlisted", "note": f"{PERSONAL_NAME} appelée"},
    )
    async with runtime.sessions() as session:
        steps_before = await session.scalar(select(func.count()).select_from(FunnelStep))

    response = await admin.delete(f"/beneficiaries/{person.id}")
    assert response.status_code == 204 and response.content == b""
    needles = [
        PERSONAL_NAME,
        "+21698123456",
        "98 123 456",
        TYPED_ANSWERS["text"]["default"],
        user.session,
        "kasserine",
        "Kasserine",
    ]
    assert await find_values(runtime.db, needles) == []
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, person.id) is None
        application = await session.get(Application, application_id)
        steps_after = await session.scalar(select(func.count()).select_from(FunnelStep))
    assert application is not None and application.program == "iess", "counts survive"
    assert steps_after == steps_before, "the funnel keeps its anonymous counts"
    assert (await admin.get(f"/beneficiaries/{person.id}")).status_code == 404
    assert (await admin.delete(f"/beneficiaries/{person.id}")).status_code == 404
    case = (await admin.get(f"/cases/{case_id}")).json()
    assert case["status"] == "closed" and case["messages"] == [] and case["person"] is None
