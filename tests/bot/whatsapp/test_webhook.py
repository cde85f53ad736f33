"""The webhook through the app: handshake, signature, size, JSON, dedupe, unknown types."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy import func, select

from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from bot.whatsapp.signature import HEADER, sign
from tests.bot.whatsapp.driver import (
    APP_SECRET,
    FIXTURES,
    VERIFY_TOKEN,
    WhatsAppPerson,
    fixture,
    post_signed,
    webhook,
)
from tests.doubles.whatsapp_api import GraphApiDouble


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_handshake_echoes_the_challenge_for_our_token(
    wa_client: httpx.AsyncClient,
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = await wa_client.get("/webhooks/whatsapp", params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")
    for wrong in (
        {**params, "hub.verify_token": "guess"},
        {**params, "hub.mode": "unsubscribe"},
        {"hub.challenge": "1"},
    ):
        assert (await wa_client.get("/webhooks/whatsapp", params=wrong)).status_code == 403


async def test_without_whatsapp_settings_the_webhook_does_not_exist(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/webhooks/whatsapp")).status_code == 404
    body = json.dumps(fixture("text")).encode()
    assert (await post_signed(client, body)).status_code == 404


async def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    body = json.dumps(fixture("text")).encode()
    headers = {"Content-Type": "application/json"}
    assert (
        await wa_client.post("/webhooks/whatsapp", content=body, headers=headers)
    ).status_code == 403
    other = "not-the-app-secret"
    assert (await post_signed(wa_client, body, other)).status_code == 403
    tampered = body.replace(b"another color", b"another colour")
    headers[HEADER] = sign(APP_SECRET, body)
    assert (
        await wa_client.post("/webhooks/whatsapp", content=tampered, headers=headers)
    ).status_code == 403
    await wa_runtime.dispatcher.run_once()
    assert await count(wa_runtime, InboundMessage) == 0
    assert await count(wa_runtime, Beneficiary) == 0
    assert await count(wa_runtime, OutboxMessage) == 0 and graph.calls == []


async def test_an_oversized_body_is_413(wa_client: httpx.AsyncClient, wa_runtime: Runtime) -> None:
    payload = fixture("text")
    payload["padding"] = "x" * (1024 * 1024)
    body = json.dumps(payload).encode()
    assert (await post_signed(wa_client, body)).status_code == 413

    async def chunks() -> object:
        for _ in range(20):
            yield b" " * 100_000

    headers = {HEADER: "sha256=00", "Content-Type": "application/json"}
    streamed = await wa_client.post("/webhooks/whatsapp", content=chunks(), headers=headers)
    assert streamed.status_code == 413, "counted as it arrives, whatever the headers say"
    assert await count(wa_runtime, InboundMessage) == 0


async def test_malformed_json_is_400(wa_client: httpx.AsyncClient, wa_runtime: Runtime) -> None:
    for body in (b'{"object": "whatsapp_business_account", "entry": [', b"\xff\xfe\x00", b""):
        assert (await post_signed(wa_client, body)).status_code == 400
    assert await count(wa_runtime, InboundMessage) == 0


async def test_arabic_with_emoji_is_verified_over_the_raw_bytes_and_answered(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    raw = (FIXTURES / "arabic_emoji.raw.json").read_bytes()
    assert (await post_signed(wa_client, raw)).status_code == 200
    await wa_runtime.dispatcher.run_once()
    assert graph.to("21698123456"), "the person is answered"
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    headers = {HEADER: sign(APP_SECRET, raw), "Content-Type": "application/json"}
    response = await wa_client.post("/webhooks/whatsapp", content=reserialised, headers=headers)
    assert response.status_code == 403


async def test_a_redelivered_wamid_is_answered_once(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    message = person.message("text", {"body": "bonjour"}, wamid="wamid.SAME-ONE")
    first = await person.send(message)
    again = await person.send(message)
    assert first and again == []
    assert await count(wa_runtime, InboundMessage) == 1


async def test_reactions_are_acknowledged_and_ignored(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    response = await post_signed(wa_client, json.dumps(fixture("reaction")).encode())
    assert response.status_code == 200
    await wa_runtime.dispatcher.run_once()
    assert await count(wa_runtime, InboundMessage) == 0 and graph.calls == []


@pytest.mark.parametrize("name", ["contacts", "unsupported"])
async def test_an_unknown_type_is_recorded_and_acknowledged(
    wa_client: httpx.AsyncClient,
    wa_runtime: Runtime,
    graph: GraphApiDouble,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    caplog.set_level(logging.INFO, logger="backend.channels.whatsapp.webhook")
    response = await post_signed(wa_client, json.dumps(fixture(name)).encode())
    assert response.status_code == 200
    assert f"unsupported message type '{name}'" in caplog.text
    assert "Barbara" not in caplog.text
    assert await count(wa_runtime, InboundMessage) == 1
    await wa_runtime.dispatcher.run_once()
    assert graph.to("16505551234"), "the person is asked the question rather than ignored"


async def test_anything_else_meta_sends_is_acknowledged(wa_client: httpx.AsyncClient) -> None:
    for payload in (
        fixture("system_error"),
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "nonsense"},
        [1, 2, 3],
        "text",
        webhook(statuses=[{"id": "wamid.unknown", "status": "delivered", "timestamp": "x"}]),
    ):
        assert (await post_signed(wa_client, json.dumps(payload).encode())).status_code == 200


async def test_when_our_side_fails_meta_is_asked_to_send_again(
    wa_client: httpx.AsyncClient,
    wa_runtime: Runtime,
    graph: GraphApiDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = json.dumps(fixture("text")).encode()
    receive = wa_runtime.inbound.receive

    async def database_down(*args: object) -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(wa_runtime.inbound, "receive", database_down)
    assert (await post_signed(wa_client, body)).status_code == 503
    monkeypatch.setattr(wa_runtime.inbound, "receive", receive)
    assert (await post_signed(wa_client, body)).status_code == 200, "Meta's redelivery"
    assert (await post_signed(wa_client, body)).status_code == 200, "and a duplicate"
    await wa_runtime.dispatcher.run_once()
    assert await count(wa_runtime, InboundMessage) == 1
    assert len(graph.to("16505551234")) == await count(wa_runtime, OutboxMessage)
