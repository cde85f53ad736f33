"""What Telegram limits: 4,096 characters a message, about 1 message a second per chat and 30
a second overall; measured on the double's clock, through each real client library."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from backend.settings import Settings
from conversations.messages import Choice, Outgoing
from tests.bot.telegram.world import TelegramWorld, open_world, telegram_settings
from tests.doubles.telegram_api import TelegramApiDouble
from tests.support import FakeClock

LONG = "\n\n".join(f"Paragraphe {i}. " + "Texte d'information. " * 40 for i in range(12))
CHOICES = (Choice("a1b2c3.yes", "Oui"), Choice("a1b2c3.no", "Non"))


async def test_a_long_text_is_split_with_the_buttons_on_the_last_part(
    world: TelegramWorld,
) -> None:
    result = await world.channel.send("42", Outgoing(LONG, "fr", CHOICES))
    sent = world.api.of("sendMessage", "42")
    assert len(sent) == 3 and all(len(c.params["text"]) <= 4096 for c in sent)
    assert all(c.params["text"].startswith("Paragraphe") for c in sent), "cut between paragraphs"
    assert ["reply_markup" in c.params for c in sent] == [False, False, True]
    assert "\n".join(c.params["text"] for c in sent).split() == LONG.split()
    assert result.external_id == str(sent[-1].result["message_id"])


async def test_a_retried_long_text_does_not_repeat_its_first_parts(world: TelegramWorld) -> None:
    """The parts delivered are recorded in the outbox row: the channel keeps nothing in memory,
    so a retry after a restart, or by another process, starts at the first part not sent."""
    world.api.fail("sendMessage", 502, after=1)  # the first part goes, the second fails
    async with world.runtime.sessions() as session, session.begin():
        (row,) = await queue_messages(
            session,
            channel="telegram",
            address="42",
            messages=[Outgoing(LONG, "fr", CHOICES)],
            beneficiary_id=None,
            now=world.clock(),
        )
    await world.runtime.dispatcher.run_once()
    async with world.runtime.sessions() as session:
        stored = await session.get(OutboxMessage, row.id)
        assert stored is not None and stored.status == "retry"
        assert stored.payload["parts_done"] == 1
    world.clock.advance(timedelta(minutes=1))
    await world.runtime.dispatcher.run_once()
    attempts = [c.status for c in world.api.of("sendMessage", "42", ok=False)]
    assert attempts == [200, 502, 200, 200]
    texts = [c.params["text"] for c in world.api.of("sendMessage", "42")]
    assert len(set(texts)) == 3, "each part delivered once"
    assert "\n".join(texts).split() == LONG.split()
    async with world.runtime.sessions() as session:
        stored = await session.get(OutboxMessage, row.id)
        assert stored is not None and stored.status == "sent"
        assert stored.external_id == str(
            world.api.of("sendMessage", "42")[-1].result["message_id"]
        )


@pytest.mark.parametrize("driver", ["aiogram", "ptb"])
async def test_about_one_message_a_second_per_chat_and_a_global_cap(
    settings: Settings, clock: FakeClock, telegram_api: TelegramApiDouble, driver: str
) -> None:
    configured = telegram_settings(
        settings,
        telegram_api,
        driver,
        "webhook",
        telegram_chat_rate_per_second=10.0,
        telegram_rate_per_second=20.0,
    )
    async with open_world(configured, telegram_api, clock) as world:
        # A bucket spaces the *starts* of requests; arrival times at the double only bound them
        # from above, so each check is "the last one cannot have started before ...".
        start = time.monotonic()
        await asyncio.gather(*(world.channel.send("7", Outgoing(f"m{i}", "fr")) for i in range(4)))
        times = [c.at for c in telegram_api.of("sendMessage", "7")]
        assert len(times) == 4 and times[-1] - start >= 0.29, "1 then 10 a second, per chat"
        await asyncio.sleep(0.3)  # the global bucket refills
        start = time.monotonic()
        many = [world.channel.send(str(100 + i), Outgoing("hi", "fr")) for i in range(30)]
        await asyncio.gather(*many)
        times = sorted(c.at for c in telegram_api.of("sendMessage") if c.at >= start)
        assert len(times) == 30
        assert times[-1] - start >= 0.45, "20 at once, then 20 a second overall"
