"""Applications and people in Chromium: a decision reaches the person on Telegram (the Bot API
double), the list filters, a person is found, read, downloaded and erased with a typed number,
and an agent of another program gets a 404."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect
from sqlalchemy import select

from backend.applications.models import Application
from backend.db.base import utcnow
from backend.people.models import Beneficiary
from tests.console.conftest import screenshot_path, sign_in
from tests.console.records import IESS_ANSWERS
from tests.console.server import ConsoleServer

_numbers = itertools.count(1)


async def seed(
    server: ConsoleServer,
    *,
    chat_id: int,
    program: str = "iess",
    status: str = "submitted",
    governorate: str = "kasserine",
    name: str = "Zeineb Ouerghemmi",
    days_ago: int = 1,
) -> tuple[int, int, str]:
    """A person on Telegram who consented and applied: (person id, application id, reference)."""
    number = next(_numbers)

    async def work(session: Any) -> tuple[int, int, str]:
        now = utcnow()
        person = await session.scalar(
            select(Beneficiary).where(Beneficiary.address == str(chat_id))
        )
        if person is None:
            person = Beneficiary(
                channel="telegram",
                address=str(chat_id),
                language="fr",
                profile={"governorate": governorate, "country": "tn", "gender": "woman"},
                state={},
                consent_version="2026-11",
                consent_at=now,
            )
            session.add(person)
            await session.flush()
        reference = f"{program[:4].upper()}-2026-{90000 + number}"
        application = Application(
            reference=reference,
            program=program,
            beneficiary_id=person.id,
            answers={**IESS_ANSWERS, "full_name": name},
            attachments=[],
            language="fr",
            status=status,
            submitted_at=now - timedelta(days=days_ago),
            updated_at=now,
        )
        session.add(application)
        await session.flush()
        return person.id, application.id, reference

    result: tuple[int, int, str] = await server.db(work)
    return result


async def test_a_decision_made_in_the_console_is_told_to_the_person(
    page: Page, console_server: ConsoleServer
) -> None:
    _, app_id, reference = await seed(console_server, chat_id=7001)
    email = await console_server.make_staff(role="supervisor", programs=("iess",))
    await sign_in(page, console_server, email, path=f"/console/applications/{app_id}")
    await expect(page.locator("h1")).to_have_text(reference)
    amount = page.locator("dd[data-field=amount_needed]")
    await expect(amount).to_have_text("15\u202f000,000\xa0DT")
    await expect(page.locator("dd[data-field=project_sector]")).to_have_text("Artisanat")
    await page.screenshot(path=screenshot_path("application.png"), full_page=True)

    await page.get_by_label("Acceptée").check()
    await page.get_by_label("Message à la personne (facultatif)").fill("Bienvenue !")
    await page.get_by_role("button", name="Envoyer la décision").click()
    await expect(page.locator("#status")).to_have_text("Acceptée")
    await expect(page.locator("ol.history")).to_contain_text("Bienvenue !")
    texts = await console_server.wait_sent(7001, lambda sent: any(reference in t for t in sent))
    told = next(t for t in texts if reference in t)
    assert "acceptée" in told and "Bienvenue !" in told


async def test_the_applications_list_filters_by_status_and_governorate(
    page: Page, console_server: ConsoleServer
) -> None:
    await seed(console_server, chat_id=7101, status="accepted", governorate="kasserine")
    await seed(console_server, chat_id=7102, status="accepted", governorate="mahdia")
    _, _, rejected = await seed(console_server, chat_id=7103, status="rejected")
    email = await console_server.make_staff(role="agent", programs=("iess",))
    await sign_in(page, console_server, email, path="/console/applications")
    await expect(page.locator("#total")).to_have_text("3")
    await page.get_by_label("Statut", exact=True).select_option("accepted")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page.locator("#total")).to_have_text("2")
    await expect(page.locator("table.list")).not_to_contain_text(rejected)
    await page.get_by_label("Gouvernorat", exact=True).select_option("mahdia")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page.locator("#total")).to_have_text("1")
    await expect(page.locator("[data-count=accepted]")).to_have_text("1")
    assert "status=accepted" in page.url and "governorate=mahdia" in page.url


async def test_search_record_data_download_and_erasure_with_the_typed_number(
    page: Page, console_server: ConsoleServer
) -> None:
    person_id, _, reference = await seed(console_server, chat_id=7201, name="Salma Jlassi")
    email = await console_server.make_staff(role="supervisor", programs=("iess",))
    await sign_in(page, console_server, email, path="/console/people")
    await page.get_by_label("Nom, téléphone ou référence").fill("jlassi")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name="Salma Jlassi").click()
    await expect(page.locator("h1")).to_have_text("Salma Jlassi")
    await expect(page.locator("#consent")).to_contain_text("2026-11")
    await expect(page.locator("section")).to_contain_text([reference])

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Télécharger les données de cette personne").click()
    download = await downloading.value
    assert download.suggested_filename == f"massar-person-{person_id}.html"
    saved = await download.path()
    assert saved is not None
    content = saved.read_text(encoding="utf-8")
    assert "Vos données conservées par massar" in content and reference in content

    confirm = page.get_by_label("Pour confirmer, saisissez le numéro de la personne :")
    await confirm.fill("999")
    await page.get_by_role("button", name="Effacer", exact=True).click()
    await expect(page.locator("[role=alert]")).to_contain_text("rien n'a été effacé")
    await confirm.fill(str(person_id))
    await page.get_by_role("button", name="Effacer", exact=True).click()
    await expect(page.locator("[role=status]")).to_have_text(
        "Les données de la personne ont été effacées."
    )
    assert await console_server.person_row(7201) is None


async def test_an_agent_cannot_open_another_programs_application(
    page: Page, console_server: ConsoleServer
) -> None:
    _, app_id, reference = await seed(console_server, chat_id=7301, program="utss-cad")
    email = await console_server.make_staff(role="agent", programs=("iess",))
    await sign_in(page, console_server, email, path="/console/applications")
    await expect(page.locator("table.list")).not_to_contain_text(reference)
    response = await page.goto(console_server.url + f"/console/applications/{app_id}")
    assert response is not None and response.status == 404
    assert reference not in await page.content()


def tiny_png() -> bytes:
    """A valid 2x2 image, built by hand (no imaging library in the test dependencies)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xc8\x30\x30" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_a_photo_sent_on_telegram_is_fetched_and_shown_in_the_case(
    page: Page, console_server: ConsoleServer
) -> None:
    chat = 7401
    await console_server.say(chat, "/start")

    async def consent(session: Any) -> None:
        person = await session.scalar(select(Beneficiary).where(Beneficiary.address == str(chat)))
        person.consent_version, person.consent_at = "2026-11", utcnow()

    await console_server.db(consent)
    await console_server.say(chat, "agent")
    image = tiny_png()
    console_server.api.add_file("AgAD-photo-7401", image, "photos/file_12.jpg")
    update_id = 990_001
    console_server.api.queue_update(
        {
            "update_id": update_id,
            "message": {
                "message_id": 77,
                "date": 1_764_600_000,
                "chat": {"id": chat, "type": "private", "first_name": "Zeineb"},
                "from": {"id": chat, "is_bot": False, "first_name": "Zeineb"},
                "photo": [
                    {"file_id": "AgAD-small", "file_unique_id": "s", "width": 1, "height": 1},
                    {"file_id": "AgAD-photo-7401", "file_unique_id": "b", "width": 2,
                     "height": 2, "file_size": len(image)},
                ],
            },
        }
    )  # fmt: skip
    await console_server.api.wait_confirmed(update_id, within=15)
    await console_server.api.wait_for(
        lambda: "photos/file_12.jpg" in console_server.api.downloads, within=15
    )
    case_id = await console_server.open_case()
    email = await console_server.make_staff(role="admin")
    await sign_in(page, console_server, email, path=f"/console/cases/{case_id}")
    photo = page.locator("figure.attachment-image img").first
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.naturalWidth") == 2, "the stored file is the image"
    source = await photo.get_attribute("src")
    served = await page.request.get(console_server.url + str(source))
    assert served.headers["x-content-type-options"] == "nosniff"
    assert await served.body() == image
