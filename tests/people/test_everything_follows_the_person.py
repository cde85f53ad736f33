"""One person with two addresses (a web chat session and a WhatsApp number): replies go where a
message came from, everything else where the person last wrote from (or to the channel a
deployment prefers for reminders), `stop` stops every address, and the duplicate rule and the
figures count the person once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from backend.cases.models import Case
from backend.conversations.models import OutboxMessage
from backend.people.addresses import add_address
from backend.people.models import Address, Beneficiary
from backend.reminders.policy import ReminderPolicy
from backend.reminders.tick import run_reminders
from backend.runtime import Runtime
from backend.scheduler import retention_tick
from bot.base import InboundEnvelope
from conversations.messages import Incoming
from tests.api.conftest import make_staff
from tests.backend.webchat_driver import WebChatUser
from tests.reminders.conftest import open_loan, tunis
from tests.support import FakeClock

NUMBER = "21655111222"


async def linked_person(client: httpx.AsyncClient, runtime: Runtime) -> tuple[WebChatUser, int]:
    """Someone who applied on the web chat, and who also has a WhatsApp number (as linking
    would leave them)."""
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.apply("iess")
    person = await user.beneficiary()
    assert person is not None
    async with runtime.sessions() as session, session.begin():
        found = await session.get(Beneficiary, person.id)
        assert found is not None
        await add_address(
            session, found, now=runtime.clock(), channel="whatsapp", address=NUMBER, language="ar"
        )
    return user, person.id


async def write(
    runtime: Runtime, channel: str, address: str, **incoming: Any
) -> list[OutboxMessage]:
    """A message from ``address``; the rows queued in answer."""
    result = await runtime.inbound.receive(
        InboundEnvelope(channel, address, uuid.uuid4().hex, Incoming(**incoming))
    )
    async with runtime.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(result.outbox_ids))
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def person(runtime: Runtime, person_id: int) -> Beneficiary:
    async with runtime.sessions() as session:
        found = await session.get(Beneficiary, person_id)
    assert found is not None
    return found


async def test_replies_go_back_and_staff_messages_follow_the_last_address(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    user, person_id = await linked_person(client, runtime)
    clock.advance(timedelta(minutes=5))
    replies = await write(runtime, "whatsapp", NUMBER, text="agent")
    assert {(r.channel, r.address, r.beneficiary_id) for r in replies} == {
        ("whatsapp", NUMBER, person_id)
    }
    found = await person(runtime, person_id)
    assert (found.channel, found.address, found.language) == ("whatsapp", NUMBER, "ar")
    async with runtime.sessions() as session:
        case_id = await session.scalar(select(Case.id).where(Case.beneficiary_id == person_id))
    staff = await make_staff(runtime, client, role="admin")
    response = await staff.post(f"/cases/{case_id}/messages", json={"text": "Bonjour"})
    assert response.status_code in (200, 201), response.text
    async with runtime.sessions() as session:
        last = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert last is not None and (last.channel, last.address) == ("whatsapp", NUMBER)

    # Back on the web chat: the next staff message goes there, in that address's language.
    clock.advance(timedelta(minutes=5))
    await user.say("bonjour")
    found = await person(runtime, person_id)
    assert (found.channel, found.address, found.language) == ("webchat", user.session, "fr")
    await staff.post(f"/cases/{case_id}/messages", json={"text": "Encore"})
    async with runtime.sessions() as session:
        last = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert last is not None and (last.channel, last.address) == ("webchat", user.session)


async def test_the_web_chat_page_keeps_its_person_while_they_write_elsewhere(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, _ = await linked_person(client, runtime)
    await write(runtime, "whatsapp", NUMBER, text="bonjour")
    response = await client.get(
        "/chat/api/messages", params={"session": user.session, "history": "true"}
    )
    assert response.status_code == 200
    assert any(m.get("mine") for m in response.json()["messages"]), "the transcript is theirs"
    await user.say("menu")
    assert user.last, "the session is not ended by a message on another channel"


async def _loan_with_reminders(runtime: Runtime, person_id: int, clock: FakeClock) -> None:
    await open_loan(runtime, person_id)
    clock.now = tunis(2026, 11, 28, 9, 5)  # three days before the first installment


async def _reminders_sent(runtime: Runtime) -> list[tuple[str, str | None, str]]:
    async with runtime.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.payload["kind"].as_string() == "reminder")
            .order_by(OutboxMessage.id)
        )
        return [(r.channel, r.address, r.payload["language"]) for r in rows]


async def test_a_deployment_may_prefer_whatsapp_for_reminders(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    _, person_id = await linked_person(client, runtime)
    await _loan_with_reminders(runtime, person_id, clock)
    policy = ReminderPolicy(zone=runtime.settings.zone, channel="whatsapp")
    report = await run_reminders(
        runtime.sessions, catalogs=runtime.engine.catalogs, policy=policy, now=clock.now
    )
    assert report.sent == 1
    assert await _reminders_sent(runtime) == [("whatsapp", NUMBER, "ar")]
    assert (await person(runtime, person_id)).channel == "webchat", "replies still go back"


async def test_without_the_setting_reminders_go_where_the_person_last_wrote(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    user, person_id = await linked_person(client, runtime)
    await _loan_with_reminders(runtime, person_id, clock)
    policy = ReminderPolicy(zone=runtime.settings.zone)
    await run_reminders(
        runtime.sessions, catalogs=runtime.engine.catalogs, policy=policy, now=clock.now
    )
    assert await _reminders_sent(runtime) == [("webchat", user.session, "fr")]


async def test_stop_on_one_address_stops_reminders_on_every_address(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    user, person_id = await linked_person(client, runtime)
    await write(runtime, "whatsapp", NUMBER, text="stop")
    await user.say("menu")  # back on the web chat: still stopped
    assert (await person(runtime, person_id)).reminders_opt_out
    await _loan_with_reminders(runtime, person_id, clock)
    for channel in ("whatsapp", None):
        policy = ReminderPolicy(zone=runtime.settings.zone, channel=channel)
        report = await run_reminders(
            runtime.sessions, catalogs=runtime.engine.catalogs, policy=policy, now=clock.now
        )
        assert report.sent == 0
    assert await _reminders_sent(runtime) == []


async def test_the_duplicate_rule_and_the_figures_count_the_person_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, person_id = await linked_person(client, runtime)
    page = await write(runtime, "whatsapp", NUMBER, start_payload="iess")
    apply = next(
        c["id"] for r in page for c in r.payload["choices"] if c["id"].endswith("apply:iess")
    )
    replies = await write(runtime, "whatsapp", NUMBER, choice_id=apply)
    said = "\n".join(r.payload["text"] for r in replies)
    assert "IESS-2026-00001" in said, "told of the application sent from the web chat"
    async with runtime.sessions() as session:
        drafts = (await session.get(Beneficiary, person_id)).state.get("drafts", {})  # type: ignore[union-attr]
    assert "iess" not in drafts or not drafts["iess"], "no second application begun"
    staff = await make_staff(runtime, client, role="admin")
    stats = (await staff.get("/stats")).json()
    iess = next(p for p in stats["programs"] if p["program"] == "iess")
    assert (iess["started"], iess["submitted"]) == (1, 1)
    listed = (await staff.get("/beneficiaries")).json()
    assert listed["total"] == 1


async def test_retention_counts_the_latest_message_on_any_address(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    _, person_id = await linked_person(client, runtime)
    clock.advance(timedelta(days=700))
    async with runtime.sessions() as session, session.begin():
        number = await session.scalar(select(Address).where(Address.address == NUMBER))
        assert number is not None
        number.last_inbound_at = clock.now  # written from WhatsApp lately (a merged address)
    clock.advance(timedelta(days=60))
    assert await retention_tick(runtime) == []
    clock.advance(timedelta(days=700))
    assert await retention_tick(runtime) == [person_id]
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(Address))) == []
