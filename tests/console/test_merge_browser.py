"""Merging two people in Chromium, on a phone-sized screen: find the other person, keep this
person's answer where they disagree, confirm, then undo and find both people again."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect
from sqlalchemy import select

from backend.applications.models import Application
from backend.db.base import utcnow
from backend.people.models import Address, Beneficiary
from tests.console.conftest import screenshot_path, sign_in
from tests.console.records import IESS_ANSWERS
from tests.console.server import ConsoleServer


async def seed(
    server: ConsoleServer, *, chat_id: int, name: str, governorate: str, minutes: int
) -> int:
    """A person on Telegram with one address and one iess application; their id."""

    async def work(session: Any) -> int:
        seen = utcnow() - timedelta(hours=1) + timedelta(minutes=minutes)
        person = Beneficiary(
            channel="telegram",
            address=str(chat_id),
            language="fr",
            profile={"governorate": governorate, "country": "tn", "gender": "woman"},
            state={},
            consent_version="2026-11",
            consent_at=seen,
            last_inbound_at=seen,
        )
        session.add(person)
        await session.flush()
        session.add(
            Address(
                beneficiary_id=person.id,
                channel="telegram",
                address=str(chat_id),
                language="fr",
                last_inbound_at=seen,
            )
        )
        session.add(
            Application(
                reference=f"IESS-2026-{chat_id}",
                program="iess",
                beneficiary_id=person.id,
                answers={**IESS_ANSWERS, "full_name": name},
                attachments=[],
                language="fr",
                submitted_at=seen,
                updated_at=seen,
            )
        )
        await session.flush()
        return int(person.id)

    found: int = await server.db(work)
    return found


async def _person(server: ConsoleServer, person_id: int) -> tuple[Any, ...] | None:
    async def work(session: Any) -> tuple[Any, ...] | None:
        row = await session.get(Beneficiary, person_id, populate_existing=True)
        if row is None:
            return None
        owned = await session.scalars(
            select(Application.reference).where(Application.beneficiary_id == person_id)
        )
        return (row.profile.get("governorate"), sorted(owned))

    found: tuple[Any, ...] | None = await server.db(work)
    return found


async def _fits(page: Page) -> bool:
    width: bool = await page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    return width


async def test_staff_merge_two_people_choosing_an_answer_then_undo(
    page: Page, console_server: ConsoleServer
) -> None:
    first = await seed(
        console_server, chat_id=8101, name="Zeineb Ouerghemmi", governorate="kasserine", minutes=0
    )
    second = await seed(
        console_server, chat_id=8102, name="Zeineb Bis", governorate="sfax", minutes=30
    )
    email = await console_server.make_staff(role="supervisor", programs=("iess",))
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(page, console_server, email, path=f"/console/people/{first}")

    await expect(page.locator("#addresses tbody tr")).to_have_count(1)
    await page.get_by_role("link", name="Fusionner avec une autre personne").click()
    await page.get_by_label("Nom, téléphone ou référence").fill("Bis")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name="Choisir Zeineb Bis").click()

    newer = page.locator('input[name="keep.governorate"][value="absorbed"]')
    await expect(newer).to_be_checked()  # the newer answer is chosen already
    mine = page.get_by_role(
        "radio", name=re.compile(r"^Kasserine — .+, la réponse de cette personne$")
    )
    await mine.check()
    assert await _fits(page), "the comparison fits a phone's width"
    await page.screenshot(
        path=str(screenshot_path("console-merge-preview-phone.png")), full_page=True
    )
    await page.get_by_role("button", name="Fusionner les deux personnes").click()

    await expect(page.get_by_role("status")).to_contain_text("n’en font plus qu’une")
    await expect(page.locator("#addresses tbody tr")).to_have_count(2)
    await expect(page.locator("#merges")).to_contain_text("«kasserine»")
    assert await _person(console_server, first) == (
        "kasserine",
        ["IESS-2026-8101", "IESS-2026-8102"],
    )
    assert await _person(console_server, second) is None

    await page.get_by_role("link", name=f"Annuler la fusion avec la personne #{second}").click()
    await page.get_by_role("button", name="Annuler la fusion").click()
    await expect(page.get_by_role("status")).to_contain_text(f"#{second}")
    await expect(page.locator("#merges")).to_contain_text("annulée")
    assert await _person(console_server, first) == ("kasserine", ["IESS-2026-8101"])
    assert await _person(console_server, second) == ("sfax", ["IESS-2026-8102"])
    await page.get_by_role("link", name="Ouvrir cette personne").click()
    await expect(page.locator("h1")).to_have_text("Zeineb Bis")
