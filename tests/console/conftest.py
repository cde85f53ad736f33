"""Browser-test fixtures: a real server (:mod:`tests.console.server`), Debian's Chromium
driven by Playwright, and signing in.

- ``console_server``: the server on a free port with a fresh SQLite database and the
  Telegram double; ``await console_server.make_staff(role=..., programs=...)`` makes an
  account (password :data:`PASSWORD`), ``await console_server.say(chat_id, "agent")`` is a
  person typing on Telegram, ``console_server.sent_to(chat_id)`` what they received.
- ``page``: a Chromium page (1280x800) on which every request is recorded; the test fails
  if one went to any host but the server.
- ``sign_in(page, server, email)``: the sign-in form, filled and sent.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.console.server import PASSWORD, ConsoleServer, LogCapture, free_port, server_settings
from tests.console.server import TOKEN as TOKEN_FOR_DOUBLE
from tests.doubles.telegram_api import TelegramApiDouble

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
async def console_server(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[ConsoleServer]:
    database = tmp_path / "massar.db"
    shutil.copyfile(migrated_sqlite, database)
    async with TelegramApiDouble(TOKEN_FOR_DOUBLE) as api:
        settings = server_settings(database, api, tmp_path / "data")
        server = ConsoleServer(
            settings=settings, api=api, port=free_port(), access_log=LogCapture()
        )
        await server.start()
        try:
            yield server
        finally:
            await server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser, console_server: ConsoleServer) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    opened = await context.new_page()
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    yield opened
    await context.close()
    server = urlsplit(console_server.url).netloc
    local = ("data:", f"blob:{console_server.url}/")
    elsewhere = sorted(
        {u for u in requested if urlsplit(u).netloc != server and not u.startswith(local)}
    )
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert requested, "the page made no request at all"


async def sign_in(
    page: Page,
    server: ConsoleServer,
    email: str,
    password: str = PASSWORD,
    *,
    path: str = "/console/",
) -> None:
    """Open ``path`` (redirected to the sign-in page), fill the form and send it."""
    await page.goto(server.url + path)
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit].primary")
    await page.wait_for_load_state("domcontentloaded")


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name
