"""One woman on Telegram and on WhatsApp becomes one person by a code, end to end: the app
runs both channels against the Bot API and Graph API doubles, and she only types and taps.

After linking, what she did on Telegram is hers on WhatsApp (her application, the duplicate
rule), her answers are merged, the code works once, and it never reaches the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.conversations.models import OutboxMessage
from backend.people.models import Address, Beneficiary, PersonMerge
from backend.runtime import Runtime
from backend.settings import Settings
from tests.bot.telegram.world import TelegramPerson, TelegramWorld, open_world, telegram_settings
from tests.bot.whatsapp.driver import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN
from tests.bot.whatsapp.driver import WhatsAppPerson as WhatsAppDriver
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.whatsapp_api import GraphApiDouble
from tests.support import FakeClock

WA_ID = "21698123456"  # the number the autopilot gives in the form: 98 123 456, Tunisia
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class Both:
    world: TelegramWorld
    graph: GraphApiDouble

    @property
    def runtime(self) -> Runtime:
        return self.world.runtime

    def whatsapp(self, wa_id: str = WA_ID) -> WhatsAppDriver:
        return WhatsAppDriver(self.world.http, self.runtime, self.graph, wa_id)


@pytest.fixture
async def both(settings: Settings, clock: FakeClock) -> AsyncIterator[Both]:
    async with (
        TelegramApiDouble("123456789:AAH-massar_test-token_DoNotLeak_0123") as telegram,
        GraphApiDouble(TOKEN, PHONE_NUMBER_ID) as graph,
    ):
        configured = telegram_settings(
            settings,
            telegram,
            "aiogram",
            "webhook",
            whatsapp_token=SecretStr(TOKEN),
            whatsapp_phone_number_id=PHONE_NUMBER_ID,
            whatsapp_app_secret=SecretStr(APP_SECRET),
            whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
            whatsapp_api_url=graph.url,
            data_dir=settings.data_dir,
        )
        async with open_world(configured, telegram, clock) as world:
            yield Both(world, graph)


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def logs() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def wa_text(payloads: list[dict[str, Any]]) -> str:
    found = []
    for payload in payloads:
        body = payload.get("text") or payload.get("interactive", {}).get("body") or {}
        found.append(str(body.get("body") or body.get("text") or ""))
    return "\n".join(found)


def code_in(text: str) -> str:
    found = _CODE.findall(text)
    assert found, text
    return str(found[-1])


async def person_at(runtime: Runtime, channel: str, address: str) -> Beneficiary:
    async with runtime.sessions() as session:
        person = await session.scalar(
            select(Beneficiary)
            .join(Address, Address.beneficiary_id == Beneficiary.id)
            .where(Address.channel == channel, Address.address == address)
        )
    assert person is not None
    return person


async def applied_on_telegram(both: Both) -> tuple[TelegramPerson, str]:
    zeineb = both.world.person(chat_id=42, language_code="fr")
    await zeineb.say("bonjour")
    reference = await zeineb.apply("iess", before_form=[])
    return zeineb, reference


async def test_a_code_from_telegram_typed_on_whatsapp_makes_one_person(
    both: Both, logs: _Everything
) -> None:
    zeineb, reference = await applied_on_telegram(both)
    telegram_id = (await person_at(both.runtime, "telegram", "42")).id
    await zeineb.say("menu")
    await zeineb.press("link")
    await zeineb.press("give")
    code = code_in(zeineb.text)

    # On WhatsApp, a first message: the code, as the bot told her to send it.
    whatsapp = both.whatsapp()
    replies = await whatsapp.say(f"code {code[:3]} {code[3:]}")
    assert "un seul" in wa_text(replies) or "n'en font plus qu'un" in wa_text(replies)

    async with both.runtime.sessions() as session:
        people = await session.scalar(select(func.count()).select_from(Beneficiary))
        addresses = (await session.scalars(select(Address).order_by(Address.id))).all()
        merge = await session.scalar(select(PersonMerge))
    assert people == 1
    assert {(a.channel, a.address, a.beneficiary_id) for a in addresses} == {
        ("telegram", "42", telegram_id),
        ("whatsapp", WA_ID, telegram_id),
    }
    assert merge is not None and merge.merged_by == "person"
    assert merge.beneficiary_id == telegram_id  # the one who took the code remains

    # What she did on Telegram is hers on WhatsApp: her application, and its duplicate rule.
    await whatsapp.press("mine")
    assert reference in wa_text(whatsapp.last)
    await whatsapp.say("menu")
    await whatsapp.press("apply")
    await whatsapp.press("iess")
    assert "déjà" in wa_text(whatsapp.last) and reference in wa_text(whatsapp.last)
    async with both.runtime.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Application))
    assert count == 1

    # Replies go where she last wrote; Telegram still reaches the same person.
    person = await person_at(both.runtime, "whatsapp", WA_ID)
    assert (person.channel, person.address) == ("whatsapp", WA_ID)
    await zeineb.say("menu")
    assert (await person_at(both.runtime, "telegram", "42")).id == telegram_id

    # The code works once: someone else typing it is told so, and nothing changes.
    other = both.whatsapp("21650111222")
    await other.say(f"code {code}")
    assert "déjà servi" in wa_text(other.last)
    async with both.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Beneficiary)) == 2

    assert not [line for line in logs.lines if code in line]


async def test_the_code_sent_to_her_whatsapp_links_the_number_she_gave(
    both: Both, clock: FakeClock
) -> None:
    whatsapp = both.whatsapp()
    await whatsapp.say("bonjour")
    await whatsapp.press("language")
    await whatsapp.press("ar")  # her WhatsApp speaks Arabic; her Telegram, French
    await whatsapp.press("orient")
    await whatsapp.press("agree")
    profile_before = (await person_at(both.runtime, "whatsapp", WA_ID)).profile
    zeineb, reference = await applied_on_telegram(both)
    await zeineb.say("lier")
    await zeineb.press("whatsapp")
    assert "+216 98 123 456" in zeineb.text
    assert not _CODE.search(zeineb.text)  # the code went to WhatsApp, not here
    sent = both.graph.to(WA_ID)[-1]
    code = code_in(wa_text([sent]))
    async with both.runtime.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    [row] = [r for r in rows if r.payload.get("kind") == "link"]
    assert (row.channel, row.address) == ("whatsapp", WA_ID)
    assert row.payload["language"] == "ar"  # her WhatsApp chat's language

    await whatsapp.say(f"رمز {code}")
    text = wa_text(whatsapp.last)
    assert "حساب" in text  # the confirmation, in Arabic: her WhatsApp's language
    person = await person_at(both.runtime, "whatsapp", WA_ID)
    assert person.id == (await person_at(both.runtime, "telegram", "42")).id
    assert person.consent_version is not None
    assert set(profile_before) <= set(person.profile)
    assert person.profile["governorate"] == "kasserine"  # her Telegram answers came along
    async with both.runtime.sessions() as session:
        addresses = {a.channel: a.language for a in await session.scalars(select(Address))}
    assert addresses == {"telegram": "fr", "whatsapp": "ar"}  # language stays per address
    await whatsapp.press("mine")
    assert reference in wa_text(whatsapp.last)


async def test_whatsapp_cannot_be_written_first_so_the_code_is_shown_on_telegram(
    both: Both,
) -> None:
    zeineb, _ = await applied_on_telegram(both)
    await zeineb.say("lier")
    await zeineb.press("whatsapp")
    assert "24 heures" in zeineb.text
    code = code_in(zeineb.text)
    assert both.graph.to(WA_ID) == []
    replies = await both.whatsapp().say(code)  # a bare code as a first message works too
    assert "n'en font plus qu'un" in wa_text(replies)


async def test_three_wrong_codes_on_whatsapp_pause_linking_for_an_hour(
    both: Both, clock: FakeClock
) -> None:
    zeineb = both.world.person(chat_id=42, language_code="fr")
    await zeineb.say("lier")
    await zeineb.press("give")
    code = code_in(zeineb.text)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    whatsapp = both.whatsapp()
    await whatsapp.say("bonjour")
    await whatsapp.say("lier")
    await whatsapp.press("have")
    await whatsapp.say(wrong)
    assert "encore essayer 2 fois" in wa_text(whatsapp.last)
    await whatsapp.say(wrong)
    await whatsapp.say(wrong)
    assert "suspendue" in wa_text(whatsapp.last) and "60 minutes" in wa_text(whatsapp.last)
    await whatsapp.say(f"code {code}")
    assert "suspendue" in wa_text(whatsapp.last)  # the right code too, for an hour

    clock.advance(timedelta(hours=1))
    await zeineb.say("lier")
    await zeineb.press("give")
    await whatsapp.say(f"code {code_in(zeineb.text)}")
    assert "n'en font plus qu'un" in wa_text(whatsapp.last)
