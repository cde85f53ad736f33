"""Signing in and out of the console, in Chromium, and what protects the session."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import update

from backend.console.models import ConsoleSession
from backend.staff.service import MAX_FAILURES_PER_EMAIL
from tests.console.conftest import sign_in
from tests.console.server import PASSWORD, ConsoleServer


async def test_sign_in_lands_on_the_inbox_and_sign_out_ends_the_session(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await sign_in(page, console_server, email)
    await expect(page.locator("h1")).to_have_text("Boîte de réception")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "massar_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert not cookie["secure"], "plain HTTP on localhost: Secure would drop the cookie"

    await page.click("text=Se déconnecter")
    await expect(page.locator("#email")).to_be_visible()
    await page.goto(console_server.url + "/console/")
    await expect(page.locator("#email")).to_be_visible(), "signed out: back to the form"


async def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="agent", programs=("iess",))
    await sign_in(page, console_server, email, "not-the-password")
    await expect(page.locator(".error")).to_have_text("Adresse ou mot de passe incorrect.")
    for _ in range(MAX_FAILURES_PER_EMAIL):
        await sign_in(page, console_server, email, "not-the-password")
    await sign_in(page, console_server, email)  # the right password, too late
    await expect(page.locator(".error")).to_contain_text("Trop de tentatives")
    assert "/console/login" in page.url


async def test_a_form_posted_without_the_csrf_token_is_refused(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await sign_in(page, console_server, email)
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    async with httpx.AsyncClient(base_url=console_server.url, cookies=cookies) as http:
        refused = await http.post(
            "/console/accounts",
            data={"email": "x@massar.test", "name": "X", "role": "admin", "password": "p" * 12},
        )
        assert refused.status_code == 403
        wrong = await http.post("/console/logout", headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 403
    await page.goto(console_server.url + "/console/accounts")
    await expect(page.locator("text=x@massar.test")).to_have_count(0)


async def test_a_session_idle_for_longer_than_the_setting_ends(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await sign_in(page, console_server, email)
    await expect(page.locator("#inbox")).to_be_visible()
    idle = timedelta(minutes=console_server.settings.console_session_idle_minutes + 1)

    async def age(session: object) -> None:
        from backend.db.base import utcnow

        await session.execute(  # type: ignore[attr-defined]
            update(ConsoleSession).values(last_seen_at=utcnow() - idle)
        )

    await console_server.db(age)
    await page.goto(console_server.url + "/console/")
    await expect(page.locator("#email")).to_be_visible()
    assert "next=%2Fconsole%2F" in page.url


async def test_the_language_chosen_on_the_sign_in_page_carries_into_the_session(
    page: Page, console_server: ConsoleServer
) -> None:
    email = await console_server.make_staff(role="admin")
    await page.goto(console_server.url + "/console/")
    await page.click("button[name=lang][value=ar]")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("h1")).to_contain_text("واجهة الفريق")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit].primary")
    await expect(page.locator("h1")).to_have_text("صندوق الوارد")
