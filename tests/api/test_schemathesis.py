"""Schemathesis over the whole admin API and the web chat's endpoints, as an admin and as an
agent: no 5xx, and every response (status, content type, headers and body) matches the OpenAPI
description.

Both valid and invalid input are generated; either must never cause a 5xx or an undescribed
response. (Schemathesis's own "invalid input is rejected" check is left out: it counts an
extra query parameter whose value is null, which no client can send, as accepted. Strict
bodies and query strings are tested in test_routes.py and the other API tests.)

Bounded and deterministic: a fixed number of derandomized examples per operation, on SQLite
(PostgreSQL is covered by the other API tests). Logout is left out: it would revoke the token
the run uses; tests/api/test_auth.py covers it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.app.main import create_app
from backend.applications.models import Application, ApplicationEvent
from backend.cases.models import Case, CaseMessage
from backend.db.migrate import upgrade
from backend.db.session import make_engine, make_session_factory
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.settings import Settings
from backend.staff.service import create_staff, issue_token

#: Examples per operation and mode: the admin sees everything, the agent mostly 403s and 404s.
EXAMPLES = {"admin": 10, "agent": 4}
CHECKS: list[Callable[..., bool | None]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _seed(url: str) -> dict[str, str]:
    """An admin's and an agent's tokens, and one person with an application and an open case
    (all id 1)."""
    db = make_engine(url)
    try:
        async with make_session_factory(db)() as session, session.begin():
            admin = await create_staff(
                session,
                email="admin@massar.test",
                name="Admin",
                role="admin",
                programs=[],
                password="a long password",  # noqa: S106 - a test account
                now=NOW,
            )
            token = await issue_token(session, staff_id=admin.id, now=NOW)
            agent = await create_staff(
                session,
                email="agent@massar.test",
                name="Agent",
                role="agent",
                programs=["iess"],
                password="another long password",  # noqa: S106 - a test account
                now=NOW,
            )
            agent_token = await issue_token(session, staff_id=agent.id, now=NOW)
            person = Beneficiary(
                channel="webchat",
                address=str(uuid.uuid4()),
                language="fr",
                profile={"governorate": "kasserine"},
                state={},
                created_at=NOW,
            )
            session.add(person)
            await add_address(session, person, now=NOW)
            application = Application(
                reference="IESS-2026-00001",
                program="iess",
                beneficiary_id=person.id,
                answers={"full_name": "Test Person", "phone": "+21698123456"},
                attachments=[],
                language="fr",
                submitted_at=NOW,
                updated_at=NOW,
            )
            case = Case(
                beneficiary_id=person.id,
                program="iess",
                reason="requested",
                attachments=[],
                opened_at=NOW,
            )
            session.add_all([application, case])
            await session.flush()
            session.add(
                ApplicationEvent(application_id=application.id, status="submitted", at=NOW)
            )
            session.add(
                CaseMessage(case_id=case.id, direction="in", text="Bonjour", created_at=NOW)
            )
        return {"admin": token, "agent": agent_token}
    finally:
        await db.dispose()


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'schemathesis.db'}"
    upgrade(url)
    return Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]


def _fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    client: Any,
    headers: dict[str, str],
    examples: int,
) -> None:
    """A few derandomized examples of one operation in one mode, every response checked."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(session=client, headers=headers, checks=CHECKS)

    run()


def test_the_api_matches_its_openapi(sqlite_settings: Settings) -> None:
    tokens = asyncio.run(_seed(sqlite_settings.database_url))
    app = create_app(sqlite_settings, background=False)
    schema = (
        schemathesis.openapi.from_asgi("/openapi.json", app)
        .include(path_regex=r"^/(api/v1|chat/api)/")
        .exclude(path="/api/v1/auth/logout")
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    try:
        with asgi.get_client(app) as client:
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                for operation in operations:
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                        _fuzz(operation, mode, client, headers, EXAMPLES[role])
    finally:
        asgi.shutdown_lifespans()
