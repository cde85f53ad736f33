"""Helpers for the application, people and media page tests (httpx, no browser): staff,
signed-in clients, people with applications."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import httpx

from backend.applications.models import Application
from backend.console.sessions import COOKIE, open_session
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.service import create_staff

_numbers = itertools.count(1)
IESS_ANSWERS: dict[str, Any] = {
    "full_name": "Zeineb Ouerghemmi",
    "phone": "+21698123456",
    "education": "university",
    "project_sector": "crafts",
    "amount_needed": 15_000_000,
}


async def staff_client(
    runtime: Runtime,
    client: httpx.AsyncClient,
    *,
    role: str,
    programs: Iterable[str] = (),
    language: str = "fr",
) -> tuple[httpx.AsyncClient, str, int]:
    """A client signed in as a new member of staff: (client, csrf token, staff id)."""
    number = next(_numbers)
    async with runtime.sessions() as session, session.begin():
        staff = await create_staff(
            session,
            email=f"staff{number}@example.org",
            name=f"Staff {number}",
            role=role,
            programs=list(programs),
            password=None,
            now=runtime.clock(),
        )
        token, row = await open_session(
            session, staff_id=staff.id, language=language, now=runtime.clock()
        )
        csrf, staff_id = row.csrf_token, staff.id
    signed_in = httpx.AsyncClient(
        transport=client._transport,
        base_url=str(client.base_url),
        cookies={COOKIE: token},
        headers={"Accept": "text/html"},
    )
    return signed_in, csrf, staff_id


async def person_with_application(
    runtime: Runtime,
    *,
    program: str = "iess",
    answers: dict[str, Any] | None = None,
    governorate: str = "kasserine",
    language: str = "ar",
    status: str = "submitted",
    channel: str = "test",
    days_ago: int = 0,
    attachments: list[dict[str, Any]] | None = None,
) -> tuple[int, int, str]:
    """A consenting person with one application: (person id, application id, reference)."""
    number = next(_numbers)
    now = runtime.clock()
    async with runtime.sessions() as session, session.begin():
        person = Beneficiary(
            channel=channel,
            address=f"addr-{number}",
            language=language,
            profile={"governorate": governorate, "country": "tn", "gender": "woman", "age": 24},
            state={},
            consent_version="2026-11",
            consent_at=now,
        )
        session.add(person)
        await add_address(session, person, now=now)
        reference = f"{program[:4].upper()}-2026-{number:05d}"
        application = Application(
            reference=reference,
            program=program,
            beneficiary_id=person.id,
            answers=dict(IESS_ANSWERS if answers is None else answers),
            attachments=attachments or [],
            language=language,
            status=status,
            submitted_at=now - timedelta(days=days_ago),
            updated_at=now,
        )
        session.add(application)
        await session.flush()
        return person.id, application.id, reference
