"""Accounts in the console (admins): create, change role and programmes, deactivate — a
deactivated account can neither sign in nor use its API token — and a new password."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import select

from backend.staff.models import AuditEntry, Staff
from backend.staff.service import issue_token
from tests.console.conftest import sign_in
from tests.console.server import ConsoleServer

NEW_PASSWORD = "another-long-password"  # noqa: S105 - a test value


async def test_an_admin_creates_an_account_that_can_then_sign_in(
    page: Page, console_server: ConsoleServer
) -> None:
    admin = await console_server.make_staff(role="admin")
    await sign_in(page, console_server, admin, path="/console/accounts")
    await expect(page.locator("h1")).to_have_text("Comptes")
    await page.fill("#new-name", "Salma Gharbi")
    await page.fill("#new-email", "salma@massar.test")
    await page.select_option("#new-role", "agent")
    await page.check("form.stacked input[name=programs][value=iess]")
    await page.fill("#new-password", NEW_PASSWORD)
    await page.click("text=Créer le compte")
    await expect(page.locator(".notice")).to_have_text("Enregistré.")
    await expect(page.locator("table.accounts")).to_contain_text("salma@massar.test")

    await page.click("text=Se déconnecter")
    await sign_in(page, console_server, "salma@massar.test", NEW_PASSWORD)
    await expect(page.locator("h1")).to_have_text("Boîte de réception")
    await expect(page.locator("nav")).not_to_contain_text("Comptes"), "agents see no accounts"
    response = await page.goto(console_server.url + "/console/accounts")
    assert response is not None and response.status == 403


async def test_a_deactivated_account_cannot_sign_in_and_its_token_stops_working(
    page: Page, console_server: ConsoleServer
) -> None:
    admin = await console_server.make_staff(role="admin")
    agent = await console_server.make_staff(role="agent", programs=("iess",), name="Omar Test")

    async def token_for(session: Any) -> tuple[int, str]:
        staff = await session.scalar(select(Staff).where(Staff.email == agent))
        return staff.id, await issue_token(session, staff_id=staff.id, now=staff.created_at)

    agent_id, token = await console_server.db(token_for)
    async with httpx.AsyncClient(base_url=console_server.url) as http:
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200

    await sign_in(page, console_server, admin, path="/console/accounts")
    row = page.locator("table.accounts tr", has_text=agent)
    await row.locator("text=Désactiver").click()
    await expect(page.locator("table.accounts tr", has_text=agent)).to_contain_text("Désactivé")

    async with httpx.AsyncClient(base_url=console_server.url) as http:
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    await page.click("text=Se déconnecter")
    await sign_in(page, console_server, agent)
    await expect(page.locator(".error")).to_have_text("Adresse ou mot de passe incorrect.")

    async def audited(session: Any) -> list[str]:
        rows = await session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "staff", AuditEntry.object_id == str(agent_id)
            )
        )
        return list(rows)

    assert "update" in await console_server.db(audited)


async def test_a_new_password_replaces_the_old_one(
    page: Page, console_server: ConsoleServer
) -> None:
    admin = await console_server.make_staff(role="admin")
    agent = await console_server.make_staff(role="agent", programs=("iess",))
    await sign_in(page, console_server, admin, path="/console/accounts")
    row = page.locator("table.accounts tr", has_text=agent)
    await row.locator("input[type=password]").fill(NEW_PASSWORD)
    await row.locator("text=Définir").click()
    await expect(page.locator(".notice")).to_have_text("Enregistré.")
    await page.click("text=Se déconnecter")
    await sign_in(page, console_server, agent)
    await expect(page.locator(".error")).to_be_visible()
    await sign_in(page, console_server, agent, NEW_PASSWORD)
    await expect(page.locator("h1")).to_have_text("Boîte de réception")


async def test_another_programmes_case_is_a_not_found_page(
    page: Page, console_server: ConsoleServer
) -> None:
    from backend.cases.models import Case

    agent = await console_server.make_staff(role="agent", programs=("iess",))

    async def open_case(session: Any) -> int:
        case = Case(program="utss-cad", status="open", reason="requested")
        session.add(case)
        await session.flush()
        return int(case.id)

    case_id = await console_server.db(open_case)
    await sign_in(page, console_server, agent)
    response = await page.goto(f"{console_server.url}/console/cases/{case_id}")
    assert response is not None and response.status == 404
    await expect(page.locator("h1")).to_have_text("Introuvable")
