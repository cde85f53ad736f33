"""The event stream: ids a reconnecting browser catches up from, scope, heartbeat headers."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx

from backend.cases.models import Case
from backend.console.models import ConsoleEvent
from tests.console.server import PASSWORD, ConsoleServer


async def _signed_in(server: ConsoleServer, email: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=server.url, timeout=10)
    form = await http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await http.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed.status_code == 303, signed.text
    return http


async def _events(http: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[dict]:
    found: list[dict[str, str]] = []
    async with http.stream("GET", "/console/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        current: dict[str, str] = {}
        async for line in response.aiter_lines():
            if not line:
                if "id" in current:
                    found.append(current)
                current = {}
                if len(found) >= count:
                    break
                continue
            name, _, value = line.partition(": ")
            current[name] = value
    return found


async def _open_cases(server: ConsoleServer, programs: list[str | None]) -> None:
    async def work(session: Any) -> None:
        for program in programs:
            session.add(Case(program=program, status="open", reason="requested"))

    await server.db(work)


async def test_a_reconnecting_browser_is_sent_what_it_missed_and_only_its_programmes(
    console_server: ConsoleServer,
) -> None:
    email = await console_server.make_staff(role="agent", programs=("iess",))
    await _open_cases(console_server, ["iess", "utss-cad", "iess"])

    async def ids(session: Any) -> list[int]:
        from sqlalchemy import select

        return list(await session.scalars(select(ConsoleEvent.id).order_by(ConsoleEvent.id)))

    first, _other, third = await console_server.db(ids)
    http = await _signed_in(console_server, email)
    try:
        caught_up = await asyncio.wait_for(_events(http, {"Last-Event-ID": "0"}, 2), 10)
        assert [int(e["id"]) for e in caught_up] == [first, third], (
            "another programme's is not sent"
        )
        assert {e["event"] for e in caught_up} == {"case"}
        later = await asyncio.wait_for(_events(http, {"Last-Event-ID": str(first)}, 1), 10)
        assert [int(e["id"]) for e in later] == [third]
    finally:
        await http.aclose()


async def test_the_stream_needs_a_session(console_server: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console_server.url) as http:
        response = await http.get("/console/events", headers={"Accept": "text/event-stream"})
        assert response.status_code == 401


async def test_events_older_than_two_days_are_deleted_when_a_stream_opens(
    console_server: ConsoleServer,
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from backend.db.base import utcnow

    email = await console_server.make_staff(role="admin")

    async def old_and_new(session: Any) -> None:
        session.add(ConsoleEvent(kind="case", case_id=1, at=utcnow() - timedelta(days=3)))
        session.add(ConsoleEvent(kind="case", case_id=2, at=utcnow()))

    await console_server.db(old_and_new)
    http = await _signed_in(console_server, email)
    try:
        sent = await asyncio.wait_for(_events(http, {"Last-Event-ID": "0"}, 1), 10)
        assert [e["data"] for e in sent] == ['{"kind": "case", "case": 2}']
    finally:
        await http.aclose()

    async def left(session: Any) -> list[int]:
        return list(await session.scalars(select(ConsoleEvent.case_id)))

    assert await console_server.db(left) == [2]
