"""Arabic text as Telegram and WhatsApp receive it: numbers, phone numbers, references and
amounts isolated (LRI ... PDI), so «+216 98 123 456» never shows as «456 123 98 216+»."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.whatsapp.render import Labels, render
from conversations.bidi import LRI, PDI, isolate
from conversations.messages import Choice, Outgoing
from tests.bot.telegram.world import TelegramWorld

PHONE = "+216 98 123 456"
REFERENCE = "LEMMA-2026-00001"
AMOUNT = "1.500,500"
ARABIC = f"مرجعك {REFERENCE}. هل ما زال {PHONE} رقمك؟ المبلغ: \u200f{AMOUNT}\u00a0د.ت.\u200f"


def _isolated_runs(text: str) -> list[str]:
    return re.findall(f"{LRI}([^{PDI}]*){PDI}", text)


def test_phone_reference_and_amount_are_each_one_isolated_run() -> None:
    assert _isolated_runs(isolate(ARABIC)) == [REFERENCE, PHONE, AMOUNT]
    assert isolate(ARABIC).replace(LRI, "").replace(PDI, "") == ARABIC, "nothing else changes"


def test_isolating_twice_changes_nothing() -> None:
    assert isolate(isolate(ARABIC)) == isolate(ARABIC)


@given(
    st.text(alphabet="مرجعك هل رقم ", max_size=20),
    st.from_regex(r"\A\+216 [0-9]{2} [0-9]{3} [0-9]{3}\Z"),
)
def test_any_phone_number_inside_arabic_is_isolated_whole(words: str, phone: str) -> None:
    assert phone in _isolated_runs(isolate(f"{words} {phone} {words}"))


def test_whatsapp_text_and_interactive_bodies_are_isolated_in_arabic_only() -> None:
    labels = Labels(more="المزيد", choose="اختر")
    [text] = render("21698123456", Outgoing(ARABIC, "ar", direction="rtl"), labels)
    assert _isolated_runs(text["text"]["body"]) == [REFERENCE, PHONE, AMOUNT]
    choices = (Choice("ab12cd.keep", "نعم"), Choice("ab12cd.change", "تغيير"))
    [ask] = render("21698123456", Outgoing(ARABIC, "ar", choices, direction="rtl"), labels)
    assert _isolated_runs(ask["interactive"]["body"]["text"]) == [REFERENCE, PHONE, AMOUNT]
    [french] = render("21698123456", Outgoing(f"Numéro {PHONE}", "fr"), labels)
    assert LRI not in french["text"]["body"], "left-to-right text is left alone"


async def test_telegram_receives_the_isolated_text(world: TelegramWorld) -> None:
    await world.channel.send("42", Outgoing(ARABIC, "ar", direction="rtl"))
    [sent] = world.api.of("sendMessage", "42")
    assert _isolated_runs(sent.params["text"]) == [REFERENCE, PHONE, AMOUNT]
