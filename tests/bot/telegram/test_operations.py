"""Running the channel: the token stays out of logs, start-up errors name their setting,
polling survives a flaky Bot API, and ``massar serve``'s lifespan runs everything."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from pydantic import SecretStr

from backend.app.main import create_app
from backend.channels.telegram.build import telegram_config
from backend.runtime import Runtime
from backend.settings import Settings
from bot.telegram.channel import TelegramSetupError
from bot.telegram.redact import REDACTED, protect
from tests.bot.telegram.world import SECRET, TOKEN, TelegramWorld, open_world, telegram_settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock

SECRET_HALF = TOKEN.partition(":")[2]


async def test_the_token_never_appears_in_logs(
    settings: Settings,
    clock: FakeClock,
    telegram_api: TelegramApiDouble,
    driver: str,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    configured = telegram_settings(settings, telegram_api, driver, mode)
    async with open_world(configured, telegram_api, clock) as world:
        person = world.person()
        telegram_api.fail("sendMessage", 502)
        await person.say("/start")
        clock.advance(timedelta(seconds=5))
        await world.flush()
        await person.press("programs")
        if mode == "polling":
            telegram_api.fail("getUpdates", 401, description="Unauthorized")
            await person.say("menu")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in text and SECRET_HALF not in text and SECRET not in text
    assert REDACTED in text, "the libraries did log URLs, redacted"


async def test_redaction_covers_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect(TOKEN)
    log = logging.getLogger("anything.at.all")
    with caplog.at_level(logging.DEBUG):
        log.debug("GET https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            log.exception("failed")
    assert TOKEN not in caplog.text and caplog.text.count(REDACTED) == 2


@pytest.mark.parametrize("driver", ["aiogram", "ptb"])
async def test_a_refused_token_stops_the_start_naming_the_setting(
    settings: Settings, clock: FakeClock, telegram_api: TelegramApiDouble, driver: str
) -> None:
    configured = telegram_settings(settings, telegram_api, driver, "webhook")
    other = "987654321:AAH-someone_elses-token_0123456789"
    configured = configured.model_copy(update={"telegram_token": SecretStr(other)})
    runtime = Runtime.build(configured, clock=clock)
    with pytest.raises(TelegramSetupError, match="MASSAR_TELEGRAM_TOKEN"):
        await runtime.start_channels()
    await runtime.stop_channels()
    await runtime.close()
    assert not telegram_api.of("setWebhook")


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"telegram_token": SecretStr("not-a-token")}, "MASSAR_TELEGRAM_TOKEN"),
        ({"telegram_webhook_secret": SecretStr("has spaces!")}, "MASSAR_TELEGRAM_WEBHOOK_SECRET"),
        ({"public_url": "http://plain.example.org"}, "MASSAR_PUBLIC_URL"),
    ],
)
async def test_settings_telegram_would_refuse_fail_at_start_up(
    settings: Settings, telegram_api: TelegramApiDouble, change: dict[str, object], setting: str
) -> None:
    configured = telegram_settings(settings, telegram_api, "aiogram", "webhook")
    configured = configured.model_copy(update=change)
    with pytest.raises((ValueError, TelegramSetupError), match=setting):
        Runtime.build(configured)


def test_webhook_settings_become_the_channel_config(
    settings: Settings, telegram_api: TelegramApiDouble
) -> None:
    config = telegram_config(telegram_settings(settings, telegram_api, "ptb", "webhook"))
    assert config.webhook_url == "https://massar.example.org/webhooks/telegram"
    assert config.webhook_secret == SECRET
    assert TOKEN not in repr(config) and SECRET not in repr(config)


@pytest.mark.parametrize("mode", ["polling"])
async def test_polling_survives_errors_and_keeps_going(world: TelegramWorld) -> None:
    poller = world.channel._poller  # shorter backoff than production's, to keep the test fast
    poller._initial = poller._delay = 0.05
    person = world.person()
    world.api.fail("getUpdates", 502, times=2)
    world.api.fail("getUpdates", 0)
    world.api.fail("getUpdates", 409, description="Conflict: terminated by other getUpdates")
    replies = await person.say("/start")
    assert replies, "the update was fetched once the Bot API answered again"
    failed = [c.status for c in world.api.of("getUpdates", ok=False) if c.status != 200]
    assert failed == [502, 502, 0, 409]


@pytest.mark.parametrize("mode", ["polling"])
async def test_a_polled_update_the_client_library_cannot_read_does_not_stop_the_bot(
    world: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """An update whose fields are not the types the library expects (a newer Bot API, say)
    is skipped on its own, with its id in the log; everything after it is answered."""
    odd = {
        "update_id": world.next_update_id(),
        "message": {"message_id": "x", "chat": 7, "date": "soon", "text": ["?"]},
    }
    world.api.queue_update(odd)
    replies = await world.person().say("/start")
    assert replies
    assert world.api.confirmed > odd["update_id"]
    assert f"Telegram update {odd['update_id']} skipped" in caplog.text


@pytest.mark.parametrize("mode", ["polling"])
async def test_an_update_that_fails_is_fetched_again(
    world: TelegramWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    receive = world.runtime.inbound.receive

    async def flaky(envelope: object) -> object:
        calls.append("try")
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        return await receive(envelope)  # type: ignore[arg-type]

    monkeypatch.setattr(world.runtime.inbound, "receive", flaky)
    replies = await world.person().say("/start")
    assert calls == ["try", "try"] and replies


@pytest.mark.parametrize("mode", ["webhook"])
async def test_a_webhook_update_we_cannot_handle_now_is_503_not_500(
    world: TelegramWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(envelope: object) -> None:
        raise ConnectionError("database restarting")

    monkeypatch.setattr(world.runtime.inbound, "receive", down)
    response = await world.post(world.person().message_update(text="/start"))
    assert response.status_code == 503, "Telegram delivers it again later"


@pytest.mark.parametrize("driver", ["aiogram", "ptb"])
async def test_serve_polls_and_answers_by_itself(
    settings: Settings, clock: FakeClock, telegram_api: TelegramApiDouble, driver: str
) -> None:
    configured = telegram_settings(settings, telegram_api, driver, "polling")
    configured = configured.model_copy(update={"dispatch_interval_seconds": 0.05})
    runtime = Runtime.build(configured, clock=clock)
    app = create_app(runtime=runtime)
    async with app.router.lifespan_context(app):
        world = TelegramWorld(telegram_api, runtime, None, clock)  # type: ignore[arg-type]
        telegram_api.queue_update(world.person().message_update(text="/start iess"))
        await telegram_api.wait_for(lambda: len(telegram_api.of("sendMessage")) >= 2)
    assert any("IESS" in c.params["text"] for c in telegram_api.of("sendMessage"))
    await asyncio.sleep(0)
    await runtime.close()
