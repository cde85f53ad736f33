"""Helpers for the admin API tests: staff and tokens made directly in the database, and a
client that speaks for one member of staff."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from backend.applications.models import Application
from backend.cases.models import Case
from backend.runtime import Runtime
from backend.staff.service import create_staff, issue_token
from tests.backend.webchat_driver import WebChatUser

_numbers = itertools.count(1)


@dataclass
class StaffClient:
    """Calls the API as one member of staff."""

    client: httpx.AsyncClient
    id: int
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(f"/api/v1{path}", headers=self.headers)


async def make_staff(
    runtime: Runtime,
    client: httpx.AsyncClient,
    *,
    role: str,
    programs: tuple[str, ...] = (),
    password: str | None = None,
    email: str | None = None,
) -> StaffClient:
    """A member of staff with a fresh token."""
    email = email or f"{role}{next(_numbers)}@massar.test"
    async with runtime.sessions() as session, session.begin():
        staff = await create_staff(
            session,
            email=email,
            name=f"{role.title()} Test",
            role=role,
            programs=list(programs),
            password=password,
            now=runtime.clock(),
        )
        token = await issue_token(session, staff_id=staff.id, now=runtime.clock())
    return StaffClient(client, staff.id, token, email)


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient) -> StaffClient:
    return await make_staff(runtime, client, role="admin")


async def person_with_case(
    client: httpx.AsyncClient, runtime: Runtime, program: str, lang: str = "fr"
) -> tuple[WebChatUser, int]:
    """Someone who opened ``program`` and asked for a person; returns them and their case id."""
    user = WebChatUser(client, runtime, lang)
    await user.say(None)
    await user.press("apply")
    await user.press(program)
    await user.say("agent")
    person = await user.beneficiary()
    assert person is not None
    async with runtime.sessions() as session:
        case_id = await session.scalar(
            select(Case.id).where(Case.beneficiary_id == person.id, Case.status == "open")
        )
    assert case_id is not None
    return user, case_id


async def person_with_application(
    client: httpx.AsyncClient, runtime: Runtime, program: str, lang: str = "fr"
) -> tuple[WebChatUser, int]:
    """Someone who applied to ``program``; returns them and the application id."""
    user = WebChatUser(client, runtime, lang)
    await user.say(None)
    reference = await user.apply(program)
    async with runtime.sessions() as session:
        application_id = await session.scalar(
            select(Application.id).where(Application.reference == reference)
        )
    assert application_id is not None
    return user, application_id


async def poll(client: httpx.AsyncClient, runtime: Runtime, user: WebChatUser) -> list[dict]:
    """Send what is queued, and fetch what the person's page would show."""
    await runtime.dispatcher.run_once()
    response = await client.get(
        "/chat/api/messages", params={"session": user.session, "after": user.after}
    )
    messages: list[dict] = response.json()["messages"]
    for message in messages:
        user.after = max(user.after, message["id"])
    user.last = messages
    return messages
