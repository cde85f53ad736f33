"""People pages (httpx through the app): search, the record, the data file given to the
person, erasure with a typed confirmation, and the media route's scope."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import func, select

from backend.media.files import person_dir, stored_path
from backend.media.models import MediaFile
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from tests.console.records import person_with_application, staff_client


async def audited(runtime: Runtime, action: str, object_type: str) -> int:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_type == object_type)
        )
        return int(found or 0)


async def stored_photo(runtime: Runtime, person_id: int, content: bytes) -> int:
    async with runtime.sessions() as session, session.begin():
        media = MediaFile(
            beneficiary_id=person_id,
            channel="test",
            reference=f"ref-{person_id}",
            kind="photo",
            status="stored",
            content_type="image/jpeg",
            size=len(content),
            file_name="photo.jpg",
            next_attempt_at=runtime.clock(),
        )
        session.add(media)
        await session.flush()
        media_id = media.id
    path = stored_path(runtime.settings.data_dir, person_id, media_id, "photo.jpg")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return media_id


async def test_search_by_name_phone_and_reference_within_scope(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    mine, _, reference = await person_with_application(runtime)
    await person_with_application(
        runtime, program="utss-cad", answers={"full_name": "Zeineb Autre", "phone": "+21620000000"}
    )
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    for query in ("zeineb", "98 123", reference):
        page = (await agent.get("/console/people", params={"q": query})).text
        assert f'href="/console/people/{mine}"' in page, query
        assert "Zeineb Autre" not in page, "another program's person is not found"
    assert await audited(runtime, "search", "beneficiary") == 3


async def test_the_record_shows_labels_consent_and_applications(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, app_id, reference = await person_with_application(runtime)
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = (await agent.get(f"/console/people/{person_id}")).text
    assert "Zeineb Ouerghemmi" in page and reference in page
    assert "Kasserine" in page and "Une femme" in page, "profile answers as words"
    assert "2026-11" in page, "the consent version"
    assert f'href="/console/applications/{app_id}"' in page
    assert await audited(runtime, "read", "beneficiary") == 1
    other, _, _ = await staff_client(runtime, client, role="agent", programs=["utss-cad"])
    assert (await other.get(f"/console/people/{person_id}")).status_code == 404


async def test_the_data_file_is_in_the_persons_language_and_audited(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, _, reference = await person_with_application(runtime, language="ar")
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = await agent.get(f"/console/people/{person_id}/data.html")
    assert page.headers["content-disposition"].startswith("attachment;")
    assert 'lang="ar" dir="rtl"' in page.text and "القصرين" in page.text
    assert reference in page.text
    data = json.loads((await agent.get(f"/console/people/{person_id}/data.json")).text)
    assert data["applications"][0]["reference"] == reference
    answers = data["applications"][0]["answers"]
    assert "15000000" not in json.dumps(answers), "the amount in dinars, not in millimes"
    assert all(a["answer"] != "crafts" for a in answers), "choices as words"
    assert await audited(runtime, "export", "beneficiary") == 2
    assert (await agent.get(f"/console/people/{person_id}/data.exe")).status_code == 404


async def test_erasure_needs_the_typed_number_and_a_supervisor(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, _, _ = await person_with_application(runtime)
    await stored_photo(runtime, person_id, b"\xff\xd8photo")
    agent, agent_csrf, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    denied = await agent.post(
        f"/console/people/{person_id}/erase",
        data={"confirmation": str(person_id), "csrf_token": agent_csrf},
    )
    assert denied.status_code == 403
    supervisor, csrf, _ = await staff_client(runtime, client, role="supervisor", programs=["iess"])
    wrong = await supervisor.post(
        f"/console/people/{person_id}/erase", data={"confirmation": "12", "csrf_token": csrf}
    )
    assert wrong.headers["location"].endswith("?error=confirm")
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, person_id) is not None
    done = await supervisor.post(
        f"/console/people/{person_id}/erase",
        data={"confirmation": str(person_id), "csrf_token": csrf},
    )
    assert done.status_code == 303
    async with runtime.sessions() as session:
        assert await session.get(Beneficiary, person_id) is None
    assert not person_dir(runtime.settings.data_dir, person_id).exists()
    assert await audited(runtime, "erase", "beneficiary") == 1


async def test_a_stored_file_is_served_only_to_staff_who_see_the_person(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    person_id, _, _ = await person_with_application(runtime)
    media_id = await stored_photo(runtime, person_id, b"\xff\xd8photo")
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    response = await agent.get(f"/console/media/{media_id}?inline=1")
    assert response.status_code == 200 and response.content == b"\xff\xd8photo"
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == 'inline; filename="photo.jpg"'
    download = await agent.get(f"/console/media/{media_id}")
    assert download.headers["content-disposition"].startswith("attachment;")
    other, _, _ = await staff_client(runtime, client, role="agent", programs=["utss-cad"])
    assert (await other.get(f"/console/media/{media_id}")).status_code == 404
    assert (await agent.get(f"/console/media/{media_id + 1}")).status_code == 404
    anonymous = await client.get(f"/console/media/{media_id}")
    assert anonymous.status_code == 401
    assert await audited(runtime, "read", "media") == 2


async def test_the_application_page_shows_a_stored_photo_inline(
    runtime: Runtime, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    person_id, app_id, _ = await person_with_application(
        runtime,
        attachments=[
            {"kind": "photo", "reference": "ref-1", "mime_type": "image/jpeg"},
            {"kind": "voice", "reference": "not-yet", "mime_type": "audio/ogg"},
        ],
    )
    media_id = await stored_photo(runtime, person_id, b"\xff\xd8photo")
    async with runtime.sessions() as session, session.begin():
        media = await session.get(MediaFile, media_id)
        assert media is not None
        media.reference = "ref-1"
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = (await agent.get(f"/console/applications/{app_id}")).text
    assert f'<img src="/console/media/{media_id}?inline=1"' in page
    assert "attachment-pending" in page


async def test_search_finds_arabic_names_quotes_and_percent_signs_as_typed(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    names = ["زينب الورغمي", 'Amel "Mimi" Ben Ali', "Sami 100% Bio", "Rim_Jlassi"]
    ids = {}
    for name in names:
        person_id, _, _ = await person_with_application(
            runtime, answers={"full_name": name, "phone": "+21650111222"}
        )
        ids[name] = person_id
    admin, _, _ = await staff_client(runtime, client, role="admin")
    for query, expected in (
        ("الورغمي", ["زينب الورغمي"]),
        ('"Mimi"', ['Amel "Mimi" Ben Ali']),
        ("100%", ["Sami 100% Bio"]),
        ("m_j", ["Rim_Jlassi"]),
        ("RIM", ["Rim_Jlassi"]),
    ):
        page = (await admin.get("/console/people", params={"q": query})).text
        found = [n for n in names if f'href="/console/people/{ids[n]}"' in page]
        assert found == expected, query
    page = (await admin.get("/console/people", params={"q": "50 111 222"})).text
    assert all(f'href="/console/people/{i}"' in page for i in ids.values()), "by phone"


async def test_the_record_lists_trainings_with_their_attendance(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    from backend.trainings.models import Attendance, Enrollment, Training

    person_id, _, _ = await person_with_application(runtime)
    async with runtime.sessions() as session, session.begin():
        training = Training(
            program="iess",
            title="GERME Kasserine",
            location="Kasserine",
            starts_at=runtime.clock(),
            capacity=20,
        )
        session.add(training)
        await session.flush()
        session.add(Enrollment(training_id=training.id, beneficiary_id=person_id))
        session.add(
            Attendance(training_id=training.id, beneficiary_id=person_id, status="present")
        )
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    page = (await agent.get(f"/console/people/{person_id}")).text
    assert "GERME Kasserine" in page and "Présent·e" in page
    data = json.loads((await agent.get(f"/console/people/{person_id}/data.json")).text)
    assert data["trainings"][0]["attendance"] == "present"
