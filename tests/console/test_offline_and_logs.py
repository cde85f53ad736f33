"""What is served without internet (/docs, /redoc) and what the access log keeps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from playwright.async_api import Page, expect

from backend.app.access_log import REDACTED, redact_target
from tests.console.server import ConsoleServer

SECRET = "s3cr3t-verify-token-4242"  # noqa: S105 - a test value


async def test_the_access_log_keeps_paths_and_parameter_names_but_no_query_values(
    page: Page, console_server: ConsoleServer
) -> None:
    await page.goto(f"{console_server.url}/webhooks/whatsapp?hub.verify_token={SECRET}&x=1")
    await page.goto(f"{console_server.url}/console/login?next=/console/people%3Fq%3D{SECRET}")
    lines = console_server.access_log.lines
    assert any("/webhooks/whatsapp?hub.verify_token=<redacted>&x=<redacted>" in x for x in lines)
    assert all(SECRET not in line for line in lines), lines


async def test_swagger_ui_and_redoc_load_from_the_server_itself(
    page: Page, console_server: ConsoleServer
) -> None:
    await page.goto(console_server.url + "/docs")
    await expect(page.locator(".swagger-ui .title").first).to_contain_text("massar")
    await page.goto(console_server.url + "/redoc")
    await expect(page.locator("h1").first).to_contain_text("massar", timeout=15_000)
    await page.wait_for_load_state("networkidle")
    # the page fixture fails the test if any request went elsewhere (a CDN, a web font)


@given(st.text(max_size=40), st.text(max_size=40))
def test_no_query_value_survives_redaction(path: str, value: str) -> None:
    target = f"/{path.replace('?', '')}?q={value}&session={value}"
    redacted = redact_target(target)
    assert redacted.startswith("/" + path.replace("?", ""))
    query = redacted.partition("?")[2]
    assert all(part.endswith("=" + REDACTED) or part == REDACTED for part in query.split("&"))


def test_a_target_without_a_query_is_kept() -> None:
    assert redact_target("/console/cases/12") == "/console/cases/12"
