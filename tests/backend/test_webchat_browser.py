"""The web chat in a real browser (Debian's Chromium, driven by Playwright): the Arabic summary
reads right to left with its phone number in order, the page follows the conversation's
language, fits a 320-pixel screen and works with the keyboard alone.

Requests from the page are answered by the app in-process (no port, no network).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, async_playwright

from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser
from tests.support import autopilot_answer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE = "http://massar.test"
SHOTS = Path(__file__).resolve().parent.parent.parent / ".screenshots"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


async def _open(browser: Browser, client: httpx.AsyncClient, session: str | None) -> Page:
    page = await browser.new_page(
        viewport={"width": 320, "height": 640}, locale="ar-TN", device_scale_factor=2
    )

    async def answer(route: Route) -> None:
        request = route.request
        response = await client.request(
            request.method,
            request.url.removeprefix(BASE),
            content=request.post_data_buffer,
            headers={"content-type": request.headers.get("content-type", "application/json")},
        )
        await route.fulfill(
            status=response.status_code,
            body=response.content,
            headers={"content-type": response.headers.get("content-type", "text/plain")},
        )

    await page.route(f"{BASE}/**", answer)
    if session:
        await page.add_init_script(
            f"localStorage.setItem('massar.session', {json.dumps(session)})"
        )
    await page.goto(f"{BASE}/")
    return page


async def _to_summary(user: WebChatUser, program: str) -> None:
    await user.say("salam")
    for _ in range(60):
        person = await user.beneficiary()
        assert person is not None
        from backend.conversations.state import load_conversation

        conversation = load_conversation(person)
        if conversation.node == "summary":
            return
        text, option = autopilot_answer(user.runtime.content, conversation, program, "ar")
        await (user.say(text) if option is None else user.press(option))
    raise AssertionError("never reached the summary")


async def test_the_arabic_summary_reads_right_with_its_phone_number_in_order(
    browser: Browser, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "ar")
    await _to_summary(user, "lemma-mahdia")
    page = await _open(browser, client, user.session)
    await page.wait_for_selector("bdi")
    assert await page.evaluate("document.documentElement.lang") == "ar"
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    phone = page.locator("bdi", has_text="+216")
    assert await phone.count() >= 1
    text = await phone.last.inner_text()
    assert text.startswith("+216 ") and text.count(" ") == 3, text
    # Where each character is drawn: "+" must be the leftmost, the last digit the rightmost.
    order = await phone.last.evaluate(
        """element => {
            const node = element.firstChild, range = document.createRange();
            const x = i => { range.setStart(node, i); range.setEnd(node, i + 1);
                             return range.getBoundingClientRect().left; };
            return [x(0), x(node.length - 1)];
        }"""
    )
    assert order[0] < order[1], "the number reads left to right inside the Arabic line"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320, "fits 320 px"
    SHOTS.mkdir(exist_ok=True)
    shot = await page.screenshot(path=str(SHOTS / "arabic-summary.png"), full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 5_000
    mine = await page.locator(".msg.me").count()
    assert mine >= 5, "the person's own answers are restored too"


async def test_the_page_works_with_the_keyboard_alone(
    browser: Browser, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    page = await _open(browser, client, None)
    await page.wait_for_selector(".choices button")
    assert await page.evaluate("document.activeElement.id") == "text", "ready to type"
    await page.keyboard.type("menu")
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.querySelectorAll('.msg.bot').length >= 3")
    await page.keyboard.press("Shift+Tab")
    focused = await page.evaluate("document.activeElement.tagName")
    assert focused == "BUTTON", "the buttons are reachable by the keyboard"
    before = await page.locator(".msg.bot").count()
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {before}")
