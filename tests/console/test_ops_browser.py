"""Loans, trainings, broadcasts and the dashboard in Chromium: a broadcast's progress bar
reaches 100 % as the dispatcher delivers to the Telegram double, a loan is opened and repaid,
attendance is marked, and the dashboard draws its charts (its screenshot goes to the README).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.loans.models import Repayment
from backend.people.models import Beneficiary
from backend.stats.models import FunnelStep
from backend.surveys.models import Survey
from backend.trainings.models import Attendance, Enrollment, Training
from tests.console.conftest import screenshot_path, sign_in
from tests.console.server import TOKEN, ConsoleServer, LogCapture, free_port, server_settings
from tests.doubles.telegram_api import TelegramApiDouble


@pytest.fixture
async def console_server(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[ConsoleServer]:
    """The console server with quiet hours off and a fast tick, so a broadcast goes at once."""
    database = tmp_path / "massar.db"
    shutil.copyfile(migrated_sqlite, database)
    async with TelegramApiDouble(TOKEN) as api:
        settings = server_settings(database, api, tmp_path / "data").model_copy(
            update={"quiet_hours": "off", "scheduler_interval_seconds": 0.5}
        )
        server = ConsoleServer(
            settings=settings, api=api, port=free_port(), access_log=LogCapture()
        )
        await server.start()
        try:
            yield server
        finally:
            await server.stop()


async def people(
    server: ConsoleServer, count: int, *, status: str = "accepted", **extra: Any
) -> list[int]:
    """People on Telegram (chat ids 7001...) who applied to IESS; returns their ids."""

    async def work(session: Any) -> list[int]:
        ids = []
        for number in range(count):
            person = Beneficiary(
                channel="telegram",
                address=str(7001 + number),
                language="fr",
                profile={"gender": ("woman", "man")[number % 2], "age": 20 + 9 * number,
                         "country": "tn", "governorate": "kasserine"},
                state={"node": "menu", "params": {}},
                consent_version="2026-11",
                consent_at=datetime.now(UTC),
                **extra,
            )  # fmt: skip
            session.add(person)
            await session.flush()
            session.add(
                Application(
                    reference=f"IESS-2026-{person.id:05d}",
                    program="iess",
                    beneficiary_id=person.id,
                    answers={"full_name": f"Personne {number}"},
                    attachments=[],
                    language="fr",
                    status=status,
                )
            )
            ids.append(person.id)
        return ids

    found: list[int] = await server.db(work)
    return found


async def test_a_broadcasts_progress_bar_reaches_100_percent(
    page: Page, console_server: ConsoleServer
) -> None:
    await people(console_server, 3)
    email = await console_server.make_staff(role="supervisor", programs=("iess",))
    await sign_in(page, console_server, email, path="/console/broadcasts")
    await page.select_option("#b-program", "iess")
    await page.click("#reach-button")
    await expect(page.locator("[data-reach=reachable]")).to_have_text("3")
    await page.fill("#text-fr", "Réunion d'information jeudi à 10h.")
    await expect(page.locator("#count-fr [data-chars]")).to_have_text("34")
    await page.click("#composer button[type=submit]")
    await expect(page.locator("#live-progress [data-count=percent]")).to_have_text(
        "100", timeout=30_000
    )
    await expect(page.locator("#live-progress [data-count=sent]")).to_have_text("3")
    assert await page.locator("#live-progress progress").get_attribute("value") == "100"
    for chat in (7001, 7002, 7003):
        assert "Réunion d'information jeudi à 10h." in console_server.sent_to(chat)


async def test_a_loan_is_opened_and_a_repayment_recorded(
    page: Page, console_server: ConsoleServer
) -> None:
    (person,) = await people(console_server, 1)
    email = await console_server.make_staff(role="supervisor", programs=("iess",))
    await sign_in(page, console_server, email, path="/console/loans")
    await page.click("a[href^='/console/loans/new?application=']")
    await page.fill("#principal", "900")
    await page.fill("#installments", "3")
    await page.fill("#first-due", (datetime.now(UTC) + timedelta(days=30)).date().isoformat())
    await page.click("#loan-form button[type=submit]")
    await expect(page.locator("#schedule tbody tr")).to_have_count(3)
    await expect(page.locator("#loan-state .ontime")).to_be_visible()
    await page.fill("#amount", "300")
    await page.click("#repayment-form button[type=submit]")
    await expect(page.locator("#schedule tbody tr").first.locator("td").last).to_have_text("Payée")

    async def repaid(session: Any) -> int:
        return int(await session.scalar(select(func.sum(Repayment.amount_minor))) or 0)

    assert await console_server.db(repaid) == 300_000
    assert person


async def test_attendance_is_marked_and_the_dashboard_draws_it(
    page: Page, console_server: ConsoleServer
) -> None:
    came, excused = await people(console_server, 2)

    async def setup(session: Any) -> int:
        training = Training(
            program="iess",
            title="GERME",
            location="Kasserine",
            starts_at=datetime.now(UTC) + timedelta(hours=3),
            capacity=20,
        )
        session.add(training)
        await session.flush()
        for person in (came, excused):
            session.add(Enrollment(training_id=training.id, beneficiary_id=person))
            for stage in ("started", "profile_done", "eligible", "submitted", "accepted"):
                session.add(FunnelStep(beneficiary_id=person, program="iess", stage=stage))
            session.add(
                Survey(
                    program="iess",
                    beneficiary_id=person,
                    round=1,
                    months=3,
                    due_at=datetime.now(UTC),
                    status="answered",
                    answers={"jobs_created": 2, "satisfaction": "s5"},
                )
            )
        return training.id

    training_id = await console_server.db(setup)
    email = await console_server.make_staff(role="agent", programs=("iess",))
    await sign_in(page, console_server, email, path=f"/console/trainings/{training_id}")
    await page.check(f"input[name=mark-{came}][value=present]")
    await page.check(f"input[name=mark-{excused}][value=excused]")
    await page.click("#attendance-form button[type=submit]")
    await expect(page.locator("[data-attendance=present]")).to_have_text("1")
    await expect(page.locator("[data-attendance=excused]")).to_have_text("1")

    async def marks(session: Any) -> dict[int, str]:
        rows = await session.execute(select(Attendance.beneficiary_id, Attendance.status))
        return dict(rows.all())

    assert await console_server.db(marks) == {came: "present", excused: "excused"}

    await page.goto(console_server.url + "/console/dashboard")
    charts = page.locator("svg.chart[role=img]")
    await expect(charts).to_have_count(5)
    for index in range(5):
        labelled = await charts.nth(index).get_attribute("aria-labelledby")
        assert labelled and await page.locator(f"#{labelled.split()[0]}").text_content()
    await expect(
        page.locator("#attendance-table tbody tr").first.locator("td").nth(2)
    ).to_have_text("1")
    await expect(page.locator("svg#x, svg.chart rect.bar").first).to_be_visible()
    await page.screenshot(path=str(screenshot_path("dashboard.png")), full_page=True)
