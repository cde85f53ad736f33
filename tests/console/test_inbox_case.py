"""The inbox and a case in Chromium, with a person writing on Telegram (the Bot API double):
the case appears live, the reply reaches the person signed, closing asks the 1-5 question."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import select

from backend.people.models import Beneficiary
from backend.staff.models import AuditEntry, Staff
from backend.staff.service import issue_token
from tests.console.conftest import screenshot_path, sign_in
from tests.console.server import ConsoleServer

CHAT = 4242


async def _audited_reads(server: ConsoleServer, case_id: int) -> list[tuple[str, str]]:
    async def work(session: Any) -> list[tuple[str, str]]:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.object_type).where(
                AuditEntry.object_id == str(case_id), AuditEntry.action == "read"
            )
        )
        return [tuple(row) for row in rows]

    result: list[tuple[str, str]] = await server.db(work)
    return result


async def _token(server: ConsoleServer, email: str) -> str:
    async def work(session: Any) -> str:
        staff = await session.scalar(select(Staff).where(Staff.email == email))
        return await issue_token(session, staff_id=staff.id, now=staff.created_at)

    token: str = await server.db(work)
    return token


async def test_a_case_appears_live_and_the_signed_reply_and_closing_reach_the_person(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin", name="Amina Trabelsi")
    await sign_in(page, console_server, email)
    await expect(page.locator("#inbox-rows")).to_contain_text("Aucun dossier ouvert.")
    await expect(page.locator("#live-status")).to_contain_text("En direct")
    loads: list[str] = []
    page.on("load", lambda _page: loads.append("load"))

    await console_server.say(CHAT, "/start")
    await console_server.say(CHAT, "agent")
    row = page.locator("#inbox-rows tr[data-case]")
    await expect(row).to_have_count(1, timeout=10_000)
    await expect(row).to_contain_text("telegram")
    assert loads == [], "the case appeared without reloading the page"
    case_id = int(await row.get_attribute("data-case") or 0)

    colleague = await console_server.make_staff(role="admin", name="Hela Mansour")
    token = await _token(console_server, colleague)
    async with httpx.AsyncClient(base_url=console_server.url) as http:
        assigned = await http.post(
            f"/api/v1/cases/{case_id}/assign", headers={"Authorization": f"Bearer {token}"}
        )
        assert assigned.status_code == 200, assigned.text
    await expect(row).to_contain_text("Hela Mansour"), "an assignment appears without reload"
    assert loads == []
    await page.screenshot(path=screenshot_path("inbox.png"))

    await row.locator("a").click()
    await expect(page.locator("#conversation .msg.bot").first).to_be_visible()
    assert await _audited_reads(console_server, case_id) == [("read", "case")]

    await page.fill("#reply-text", "Bonjour, je suis là pour vous aider.")
    await page.click("form.reply button[type=submit]")
    await expect(page.locator(".notice")).to_have_text("Réponse envoyée.")
    texts = await console_server.wait_sent(
        CHAT, lambda sent: any("je suis là pour vous aider" in t for t in sent)
    )
    staff_reply = next(t for t in texts if "je suis là pour vous aider" in t)
    assert staff_reply.startswith("Amina · "), staff_reply
    await expect(page.locator("#conversation .msg.staff")).to_contain_text("Amina Trabelsi")

    await page.fill("#note-text", "Rappeler jeudi, ne rien dire au bot.")
    await page.click("form.note button[type=submit]")
    await expect(page.locator("#conversation .msg.note")).to_contain_text("Rappeler jeudi")
    await page.screenshot(path=screenshot_path("case.png"), full_page=True)

    await console_server.say(CHAT, "Merci, j'ai une question sur le prêt")
    (
        await expect(page.locator("#conversation .msg.person").last).to_contain_text(
            "question sur le prêt", timeout=10_000
        ),
        "the person's new message appears on the open case page by itself",
    )

    before = len(console_server.sent_to(CHAT))
    await page.click("text=Clore le dossier")
    await expect(page.locator(".notice")).to_have_text("Le dossier est clos.")
    texts = await console_server.wait_sent(CHAT, lambda sent: len(sent) > before)
    question = console_server.api.of("sendMessage", str(CHAT))[-1].params
    assert "5" in str(question.get("reply_markup")), "the 1-5 satisfaction question, with buttons"
    assert all("Rappeler jeudi" not in t for t in texts), "internal notes never reach the person"


async def test_a_reply_can_be_sent_with_the_keyboard_alone(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin", name="Karim Ben Ali")
    await console_server.say(CHAT, "/start")
    await console_server.say(CHAT, "agent")
    await sign_in(page, console_server, email)
    await expect(page.locator("#inbox-rows tr[data-case]")).to_have_count(1)
    case_link = page.locator("#inbox-rows tr[data-case] a")
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await case_link.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the case link is not reachable with Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#reply-text")).to_be_visible()
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await page.locator("#reply-text").evaluate("e => e === document.activeElement"):
            break
    await page.keyboard.type("Réponse au clavier")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator(".notice")).to_have_text("Réponse envoyée.")
    await console_server.wait_sent(CHAT, lambda sent: any("Karim · " in t for t in sent))


async def test_the_arabic_console_is_right_to_left_and_keeps_numbers_left_to_right(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await console_server.say(CHAT, "/start")
    await console_server.say(CHAT, "agent")
    await sign_in(page, console_server, email)
    await page.select_option("#lang-switch", "ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("html")).to_have_attribute("lang", "ar")
    await expect(page.locator("h1")).to_have_text("صندوق الوارد")
    await page.locator("#inbox-rows tr[data-case] a").click()
    address = page.locator(".facts bdi[dir=ltr]")
    await expect(address).to_have_text(str(CHAT))
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.screenshot(path=screenshot_path("case-ar.png"))


async def test_the_inbox_fits_a_360_pixel_screen(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await console_server.say(CHAT, "/start")
    await console_server.say(CHAT, "agent")
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, console_server, email)
    await expect(page.locator("#inbox-rows tr[data-case]")).to_have_count(1)
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360px"
    await page.screenshot(path=screenshot_path("inbox-360.png"), full_page=True)


async def test_a_person_named_like_a_script_shows_as_text(
    page: Page, console_server: ConsoleServer
) -> None:
    name = "<script>alert(1)</script>"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    email = await console_server.make_staff(role="admin")
    await console_server.say(CHAT, "/start")
    await console_server.say(CHAT, name)
    await console_server.say(CHAT, "agent")

    async def rename(session: Any) -> None:
        person = await session.scalar(select(Beneficiary))
        person.channel_name = name

    await console_server.db(rename)
    await sign_in(page, console_server, email)
    link = page.locator("#inbox-rows tr[data-case] a")
    await expect(link).to_have_text(name)
    await link.click()
    await expect(page.locator("h1")).to_have_text(name)
    assert await page.locator("main script").count() == 0
    assert dialogs == []
