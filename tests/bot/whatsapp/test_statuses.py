"""Delivery statuses move forward only; failures keep Meta's code; 131047 later -> template."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backend.conversations.models import OutboxMessage
from backend.runtime import Runtime
from tests.bot.whatsapp.driver import WhatsAppPerson, fixture, post_signed, status, webhook
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock


@pytest.fixture
async def sent(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> OutboxMessage:
    """The last message the bot sent to a person."""
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    async with wa_runtime.sessions() as session:
        last = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert last is not None and last.external_id
    return last


async def report(client: httpx.AsyncClient, *statuses: dict[str, object]) -> None:
    body = json.dumps(webhook(statuses=list(statuses))).encode()
    assert (await post_signed(client, body)).status_code == 200


async def current(runtime: Runtime, outbox_id: int) -> OutboxMessage:
    async with runtime.sessions() as session:
        found = await session.get(OutboxMessage, outbox_id)
    assert found is not None
    return found


async def test_sent_delivered_read_in_order(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, sent: OutboxMessage
) -> None:
    assert sent.external_id is not None
    for state, at in (("sent", 100), ("delivered", 200), ("read", 300)):
        await report(wa_client, status(sent.external_id, state, at=1750263000 + at))
        row = await current(wa_runtime, sent.id)
        assert row.delivery_status == state
    assert (
        row.delivery_updated_at is not None and row.delivery_updated_at.timestamp() == 1750263300
    )
    assert row.status == "sent", "the dispatcher's own status is left alone"


async def test_a_late_sent_never_overwrites_read_and_repeats_change_nothing(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, sent: OutboxMessage
) -> None:
    wamid = sent.external_id
    assert wamid is not None
    await report(wa_client, status(wamid, "read", at=1750263300))
    await report(wa_client, status(wamid, "sent", at=1750263100), status(wamid, "delivered"))
    await report(wa_client, status(wamid, "read", at=1750263999))
    await report(wa_client, status(wamid, "failed", code=131026))
    row = await current(wa_runtime, sent.id)
    assert row.delivery_status == "read"
    assert (
        row.delivery_updated_at is not None and row.delivery_updated_at.timestamp() == 1750263300
    )
    assert row.last_error is None


async def test_a_failure_keeps_metas_code_and_a_later_delivery_wins(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, sent: OutboxMessage
) -> None:
    wamid = sent.external_id
    assert wamid is not None
    await report(wa_client, status(wamid, "sent"))
    payload = fixture("status_failed_undeliverable")
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
    assert (await post_signed(wa_client, json.dumps(payload).encode())).status_code == 200
    row = await current(wa_runtime, sent.id)
    assert row.delivery_status == "failed"
    assert row.last_error == "131026: Message undeliverable (Unable to deliver message.)"
    await report(wa_client, status(wamid, "sent"))
    assert (await current(wa_runtime, sent.id)).delivery_status == "failed"
    await report(wa_client, status(wamid, "delivered"))
    assert (await current(wa_runtime, sent.id)).delivery_status == "delivered"


async def test_a_131047_failure_reported_later_sends_the_message_as_a_template(
    wa_client: httpx.AsyncClient,
    wa_runtime: Runtime,
    graph: GraphApiDouble,
    sent: OutboxMessage,
    clock: FakeClock,
) -> None:
    wamid = sent.external_id
    assert wamid is not None
    payload = fixture("status_failed")
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
    for _ in range(2):  # Meta redelivers: one template only
        assert (await post_signed(wa_client, json.dumps(payload).encode())).status_code == 200
    while await wa_runtime.dispatcher.run_once():
        clock.advance(timedelta(seconds=1))
    assert [p["type"] for p in graph.delivered].count("template") == 1
    template = graph.delivered[-1]
    assert template["template"]["name"] == "massar_message"
    assert template["template"]["components"][0]["parameters"][0]["text"] == " ".join(
        sent.payload["text"].split()
    )
    row = await current(wa_runtime, sent.id)
    assert row.delivery_status == "failed" and row.last_error is not None
    assert row.last_error.startswith("131047: Re-engagement message")


async def test_statuses_of_messages_we_do_not_know_are_acknowledged(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, sent: OutboxMessage
) -> None:
    await report(wa_client, status("wamid.NOT-OURS", "read"))
    assert (await current(wa_runtime, sent.id)).delivery_status is None
