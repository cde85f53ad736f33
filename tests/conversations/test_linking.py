"""«Use my other account» in the conversation: the menu entry and the word, codes typed the way
people type them, and what each answer of the backend makes the bot say (in memory)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.engine import Engine
from conversations.link_codes import parse_code
from conversations.messages import Conversation
from conversations.ports import CodeTaken
from tests.conversations.chat import Chat

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
FULL_WIDTH = "０１２３４５６７８９"
SEPARATORS = [" ", "-", "  ", ".", "–", "\u00a0", "/", "_"]


@st.composite
def typed_codes(draw: st.DrawFn) -> tuple[str, str]:
    """A code, and the way someone typed it: any digit script, separators anywhere between."""
    code = draw(st.text("0123456789", min_size=6, max_size=6))
    out: list[str] = []
    for index, digit in enumerate(code):
        script = draw(st.sampled_from(["0123456789", ARABIC_INDIC, PERSIAN, FULL_WIDTH]))
        if index and draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(script[int(digit)])
    padding = draw(st.sampled_from(["", " ", "\n", "  "]))
    return code, padding + "".join(out) + padding


@given(typed_codes())
def test_a_code_is_read_whatever_digits_and_separators(case: tuple[str, str]) -> None:
    code, typed = case
    assert parse_code(typed) == code


@given(st.text(max_size=30))
def test_anything_without_exactly_six_digits_is_not_a_code(text: str) -> None:
    digits = [c for c in text if c.isdecimal()]
    if len(digits) != 6:
        assert parse_code(text) is None


@given(st.text("0123456789", min_size=6, max_size=6), st.sampled_from(["a", "é", "ب", "?"]))
def test_letters_among_the_digits_are_not_a_code(code: str, letter: str) -> None:
    assert parse_code(code[:3] + letter + code[3:]) is None


async def _at_linking(engine: Engine, lang: str = "fr") -> Chat:
    chat = Chat(engine, lang)
    await chat.send("bonjour")
    await chat.press("link")
    assert chat.conversation.node == "link"
    return chat


async def test_the_menu_entry_offers_a_code_and_typing_one(engine: Engine) -> None:
    chat = await _at_linking(engine)
    assert [c.id.partition(".")[2] for c in chat.replies[-1].choices] == ["give", "have", "menu"]
    await chat.press("give")
    assert chat.store.link_codes == ["402117"]
    assert "402117" in chat.text and "10" in chat.text
    assert chat.conversation.node == "menu"
    # The code is shown, never kept in the conversation.
    assert "402117" not in repr(chat.conversation.state_json())


@pytest.mark.parametrize(
    "word", ["lier", "link", "autre compte", "ربط", "حسابي الآخر", "ligar", "outra conta", "rbat"]
)
async def test_the_word_opens_linking_at_any_step(engine: Engine, word: str) -> None:
    chat = Chat(engine, "fr")
    await chat.send("bonjour")
    await chat.press("orient")  # the consent question: a step far from the menu
    await chat.send(word)
    assert chat.conversation.node == "link"


async def test_a_typo_of_the_word_opens_linking_where_buttons_are_offered(
    engine: Engine,
) -> None:
    chat = Chat(engine, "fr")
    await chat.send("bonjour")
    await chat.send("reliier")
    assert chat.conversation.node == "link"


async def test_the_code_after_the_word_works_at_any_step(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("bonjour")
    await chat.press("orient")
    await chat.send("code ١٢٣ ٤٥٦")
    assert "ne va pas" in chat.text or "pas le bon" in chat.text
    assert chat.conversation.node == "link_code"


async def test_a_bare_code_is_a_code_on_the_menu_and_as_a_first_message(engine: Engine) -> None:
    first = Chat(engine, "fr")
    first.store.link_outcomes["654321"] = CodeTaken("used")
    await first.send("654 321")
    assert "déjà servi" in first.text
    assert first.conversation.node == "menu"
    await first.send("654321")
    assert "déjà servi" in first.text


async def test_a_wrong_code_tells_the_attempts_left_and_asks_again(engine: Engine) -> None:
    chat = await _at_linking(engine)
    await chat.press("have")
    assert chat.conversation.node == "link_code"
    await chat.send("12")
    assert "six chiffres" in chat.text
    await chat.send("111-111")
    assert "2" in chat.text and chat.conversation.node == "link_code"


@pytest.mark.parametrize(
    ("outcome", "phrase"),
    [
        ("expired", "trop ancien"),
        ("used", "déjà servi"),
        ("own", "même compte"),
        ("blocked", "suspendue"),
    ],
)
async def test_each_refusal_is_said_plainly(engine: Engine, outcome: str, phrase: str) -> None:
    chat = await _at_linking(engine)
    chat.store.link_outcomes["777777"] = CodeTaken(outcome)
    await chat.press("have")
    await chat.send("777 777")
    assert phrase in chat.text
    assert chat.conversation.node == "menu"


async def test_linked_the_chat_goes_on_as_the_person_who_remains(engine: Engine) -> None:
    chat = await _at_linking(engine, "ar")
    chat.conversation.drafts = {"iess": {"full_name": "Salma"}}
    person = Conversation(
        language="fr",
        profile={"age": 30, "gender": "woman"},
        consent_version="2024-01",
        consent_at="2026-01-01T10:00:00+00:00",
        known={"phone": "+21698123456"},
        case_open=False,
    )
    chat.store.link_outcomes["246810"] = CodeTaken("linked", person=person)
    await chat.press("have")
    await chat.send("٢٤٦٨١٠")
    conversation = chat.conversation
    assert conversation.profile == {"age": 30, "gender": "woman"}
    assert conversation.consent_version == "2024-01"
    assert conversation.known["phone"] == "+21698123456"
    assert conversation.drafts == {"iess": {"full_name": "Salma"}}
    # The language stays this chat's, and the confirmation is in it.
    assert conversation.language == "ar" and chat.replies[0].language == "ar"
    assert conversation.node == "menu"


async def test_whatsapp_is_offered_only_with_a_phone_and_where_it_can_go(engine: Engine) -> None:
    chat = await _at_linking(engine)
    assert "whatsapp" not in [c.id.partition(".")[2] for c in chat.replies[-1].choices]
    chat.conversation.known["phone"] = "+21698123456"
    chat.store.whatsapp_codes = True
    await chat.send("menu")
    await chat.press("link")
    await chat.press("whatsapp")
    [(phone, message)] = chat.store.whatsapp_sent
    assert phone == "+21698123456" and message.kind == "link"
    assert f"code {chat.store.link_codes[-1]}" in message.text
    assert "+216 98 123 456" in chat.text
    assert chat.store.link_codes[-1] not in chat.text  # the code went to WhatsApp only


async def test_outside_whatsapps_window_the_code_is_shown_here(engine: Engine) -> None:
    chat = await _at_linking(engine)
    chat.conversation.known["phone"] = "+21698123456"
    chat.store.whatsapp_codes = True
    chat.store.whatsapp_window_open = False
    await chat.send("lier")
    await chat.press("whatsapp")
    assert chat.store.whatsapp_sent == []
    assert "24 heures" in chat.text and chat.store.link_codes[-1] in chat.text
