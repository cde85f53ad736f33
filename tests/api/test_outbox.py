"""Messages that could not be delivered are listed for staff, without their text."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from tests.api.conftest import make_staff
from tests.backend.webchat_driver import WebChatUser


async def test_held_messages_are_reported_to_staff_of_the_program(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.apply("iess")
    async with runtime.sessions() as session, session.begin():
        row = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert row is not None
        row.status, row.last_error = "held", "outside the 24-hour window; no template"
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    other = await make_staff(runtime, client, role="supervisor", programs=("utss-cad",))
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))

    listed = await supervisor.get("/outbox")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["reason"] == "outside the 24-hour window; no template"
    assert "text" not in item and item["status"] == "held"

    assert (await other.get("/outbox")).json()["total"] == 0
    assert (await agent.get("/outbox")).status_code == 403
    async with runtime.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.object_type))).all()
    assert "outbox" in actions
