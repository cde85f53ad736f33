"""A whole run of a real server leaves no personal data in its logs: a person applies on the
web chat, then staff look them up by name and by phone through the API and the console.
The access log (uvicorn's) and every other record the server writes at INFO and above are
searched for the person's name, phone number, typed answers and web-chat session id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser
from tests.console.server import PASSWORD, ConsoleServer
from tests.support import PERSONAL_NAME, TYPED_ANSWERS


class _Everything(logging.Handler):
    """Every record of every logger, formatted as a deployment's log would show it."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def everything() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_full_run_logs_no_name_phone_answer_or_session(
    console_server: ConsoleServer, everything: _Everything
) -> None:
    runtime = Runtime.build(console_server.settings, clock=lambda: datetime.now(UTC))
    try:
        async with httpx.AsyncClient(base_url=console_server.url, timeout=30) as http:
            person = WebChatUser(http, runtime, "fr")
            await person.say(None)
            reference = await person.apply("iess")
            await person.say("agent")
            restored = await http.get(
                "/chat/api/messages", params={"session": person.session, "history": "true"}
            )
            assert restored.status_code == 200

            email = await console_server.make_staff(role="supervisor", programs=("iess",))
            login = await http.post(
                "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
            )
            token = login.json()["token"]
            staff = {"Authorization": f"Bearer {token}"}
            for query in (PERSONAL_NAME, "98 123 456", reference):
                found = await http.get("/api/v1/beneficiaries", params={"q": query}, headers=staff)
                assert found.status_code == 200 and found.json()["total"] == 1, query
    finally:
        await runtime.close()

    needles = [
        PERSONAL_NAME,
        "Ouerghemmi",
        "98 123 456",
        "98123456",
        TYPED_ANSWERS["text"]["default"],
        person.session,
        token,
    ]
    access = console_server.access_log.lines
    assert any("/api/v1/beneficiaries" in line for line in access), "the access log was captured"
    assert any("/chat/api/messages" in line for line in access)
    leaks = [
        (needle, line)
        for line in [*access, *everything.lines]
        for needle in needles
        if needle.lower() in line.lower()
    ]
    assert leaks == []
