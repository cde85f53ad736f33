"""The adapter against the Graph API double: ids back, Meta's errors mapped, the token kept
secret, the throughput limit kept."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from backend.channels.whatsapp.build import build_whatsapp
from backend.settings import Settings
from bot.base import InboundEnvelope, PermanentSendError, TransientSendError
from bot.ratelimit import RateLimiter
from bot.whatsapp.adapter import WhatsAppAdapter
from bot.whatsapp.client import GraphClient, ReEngagementRequired
from conversations.messages import Choice, Outgoing
from tests.bot.whatsapp.driver import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN
from tests.doubles.whatsapp_api import GraphApiDouble

HELLO = Outgoing(text="Bonjour", language="fr", choices=(Choice("t.a", "A"), Choice("t.b", "B")))


async def _ignore(envelope: InboundEnvelope) -> None:
    return None


def make_settings(url: str, **extra: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        whatsapp_token=SecretStr(TOKEN),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
        whatsapp_api_url=url,
        **extra,
    )


@pytest.fixture
async def adapter(graph: GraphApiDouble) -> AsyncIterator[WhatsAppAdapter]:
    built = build_whatsapp(make_settings(graph.url), on_message=_ignore)
    yield built
    await built.stop()


async def test_a_message_is_posted_with_the_token_and_its_wamid_returned(
    adapter: WhatsAppAdapter, graph: GraphApiDouble
) -> None:
    result = await adapter.send("21698123456", HELLO)
    assert result.external_id == "wamid.TEST000001"
    [call] = graph.calls
    assert call.payload["interactive"]["type"] == "button"
    assert call.payload["to"] == "21698123456"


@pytest.mark.parametrize(
    ("kind", "error", "code"),
    [
        ("throughput", TransientSendError, "130429"),
        ("server", TransientSendError, "131000"),
        ("reengagement", ReEngagementRequired, "131047"),
        ("undeliverable", PermanentSendError, "131026"),
    ],
)
async def test_meta_errors_become_send_errors(
    adapter: WhatsAppAdapter, graph: GraphApiDouble, kind: str, error: type, code: str
) -> None:
    graph.fail_next(kind)
    with pytest.raises(error) as raised:
        await adapter.send("21698123456", HELLO)
    assert raised.value.code == code
    assert raised.value.reason and "(#" not in raised.value.reason
    if kind == "undeliverable":
        assert raised.value.unreachable
    if kind == "reengagement":
        assert "24 hours" in raised.value.reason


async def test_a_429_honours_retry_after(adapter: WhatsAppAdapter, graph: GraphApiDouble) -> None:
    graph.fail_next("429", retry_after=7)
    with pytest.raises(TransientSendError) as raised:
        await adapter.send("21698123456", HELLO)
    assert raised.value.code == "429" and raised.value.retry_after == 7


async def test_a_payload_meta_refuses_fails_for_good_with_its_code(
    adapter: WhatsAppAdapter,
) -> None:
    with pytest.raises(PermanentSendError) as raised:
        await adapter.send("not-a-number", HELLO)
    assert raised.value.code == "100" and not raised.value.unreachable


async def test_network_errors_are_transient(graph: GraphApiDouble) -> None:
    adapter = build_whatsapp(make_settings("http://127.0.0.1:9/v21.0"), on_message=_ignore)
    with pytest.raises(TransientSendError, match="network error"):
        await adapter.send("21698123456", HELLO)
    await adapter.stop()


async def test_the_token_is_never_logged_nor_in_errors(
    graph: GraphApiDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the server quiets it; here, the worst case
    adapter = build_whatsapp(make_settings(graph.url), on_message=_ignore)
    await adapter.send("21698123456", HELLO)
    reasons = []
    for kind in ("throughput", "server", "reengagement", "undeliverable"):
        graph.fail_next(kind)
        with pytest.raises(Exception) as raised:
            await adapter.send("21698123456", HELLO)
        reasons.append(str(raised.value))
    wrong = build_whatsapp(
        make_settings(graph.url).model_copy(update={"whatsapp_token": SecretStr("bad")}),
        on_message=_ignore,
    )
    with pytest.raises(TransientSendError, match="access token refused") as refused:
        await wrong.send("21698123456", HELLO)
    reasons.append(str(refused.value))
    await adapter.stop()
    await wrong.stop()
    assert caplog.records, "httpx logged its requests"
    assert TOKEN not in caplog.text and TOKEN not in " ".join(reasons)
    assert TOKEN not in repr(adapter) and APP_SECRET not in repr(adapter)


async def test_the_handshake_and_the_signature_use_the_configured_secrets(
    adapter: WhatsAppAdapter,
) -> None:
    assert adapter.handshake("subscribe", VERIFY_TOKEN, "1158201444") == "1158201444"
    assert adapter.handshake("subscribe", "guess", "1158201444") is None
    assert adapter.handshake("unsubscribe", VERIFY_TOKEN, "1158201444") is None
    assert adapter.handshake("subscribe", VERIFY_TOKEN, None) is None


def test_the_throughput_setting_reaches_the_limiter(graph: GraphApiDouble) -> None:
    default = build_whatsapp(make_settings(graph.url), on_message=_ignore)
    assert default._client.limiter._global.rate == 80
    slow = build_whatsapp(make_settings(graph.url, whatsapp_rate_per_second=5), on_message=_ignore)
    assert slow._client.limiter._global.rate == 5


async def test_sending_faster_than_the_limit_waits(graph: GraphApiDouble) -> None:
    now = [0.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(per_second=80, sleep=sleep, clock=lambda: now[0])
    client = GraphClient(
        api_url=graph.url,
        phone_number_id=PHONE_NUMBER_ID,
        token=TOKEN,
        rate_per_second=80,
        limiter=limiter,
    )
    for index in range(120):
        await client.post_message(
            {
                "messaging_product": "whatsapp",
                "to": "21698123456",
                "type": "text",
                "text": {"body": f"n° {index}"},
            }
        )
    await client.stop()
    assert len(graph.delivered) == 120
    assert now[0] == pytest.approx(40 / 80), "80 at once, then 80 a second"
