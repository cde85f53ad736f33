"""A handoff the person controls: offered, never imposed; never a trap of silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations.content_loader import Content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.office_hours import OfficeHours
from tests.conversations.chat import Chat
from tests.support import FakeClock

TUNIS = ZoneInfo("Africa/Tunis")


@pytest.fixture
def staffed(content: Content, catalogs: Catalogs) -> Engine:
    return Engine(
        content=content,
        catalogs=catalogs,
        office_hours=OfficeHours.parse("mon-fri 08:30-17:00"),
        zone=TUNIS,
        handoff_wait=timedelta(hours=4),
        raise_errors=True,
    )


async def _in_a_case(engine: Engine, lang: str, clock: FakeClock | None = None) -> Chat:
    chat = Chat(engine, lang, clock)
    await chat.send("hello")
    await chat.press("programs")
    await chat.send("agent")
    assert chat.conversation.case_open
    return chat


@pytest.mark.parametrize("word", ["menu", "0", "retour", "قائمة", "salam", "chnowa", "9addech"])
async def test_every_global_word_is_answered_during_a_case(staffed: Engine, word: str) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # Tuesday, office open
    chat = await _in_a_case(staffed, "fr", clock)
    await chat.send(word)
    assert chat.replies, f"«{word}» gets an answer"
    assert "4\xa0heures" in chat.text, "how long an answer usually takes"
    assert chat.labels == ["Continuer d'attendre", "Annuler ma demande"]
    assert chat.store.case_messages == [], "a menu word is not a message for staff"


async def test_keep_waiting_leaves_the_case_open(staffed: Engine) -> None:
    chat = await _in_a_case(staffed, "en")
    await chat.send("menu")
    await chat.press("wait")
    assert chat.conversation.case_open
    assert "answer here" in chat.text
    assert chat.conversation.node == "programs", "back where the person was, silently"
    await chat.send("Are you there?")
    assert chat.store.case_messages == ["Are you there?"]


async def test_cancel_closes_the_case_and_goes_back(staffed: Engine) -> None:
    chat = await _in_a_case(staffed, "en")
    await chat.send("menu")
    await chat.press("cancel")
    assert not chat.conversation.case_open
    assert chat.store.cancelled == 1
    assert chat.conversation.node == "programs"
    assert "Which one would you like to know more about?" in chat.text
    await chat.send("menu")
    assert chat.conversation.node == "menu", "the bot answers by itself again"


async def test_typing_the_number_of_a_case_choice_works(staffed: Engine) -> None:
    chat = await _in_a_case(staffed, "en")
    await chat.send("menu")
    await chat.send("2")
    assert not chat.conversation.case_open


async def test_an_old_button_during_a_case_gets_a_short_answer(staffed: Engine) -> None:
    chat = Chat(staffed, "en")
    await chat.send("hello")
    old = chat.button("learn")
    await chat.send("agent")
    await chat.send(choice_id=old)
    assert "that button no longer works" in chat.text
    assert chat.conversation.case_open


async def test_after_hours_the_first_message_is_acknowledged_once(staffed: Engine) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 19, 0, tzinfo=UTC))  # Tuesday 20:00 in Tunis
    chat = await _in_a_case(staffed, "fr", clock)
    assert "mercredi 08:30" in chat.text, "told when asking"
    await chat.send("Bonsoir, j'ai une question sur mon dossier")
    assert chat.replies == [], "already told when asking"
    clock.advance(timedelta(days=1))  # Wednesday evening: staff came and went, away again
    await chat.send("Et aussi sur la formation")
    assert "jeudi 08:30" in chat.text, "the first message after office hours is acknowledged"
    await chat.send("Merci")
    assert chat.replies == [], "once is enough"
    assert len(chat.store.case_messages) == 3


async def test_three_misses_never_open_a_case_by_themselves(staffed: Engine) -> None:
    chat = Chat(staffed, "ar")
    await chat.send("salam")
    for _ in range(3):
        await chat.send("xyz qwerty")
    assert not chat.conversation.case_open
    assert chat.store.handoffs == []
    assert chat.conversation.node == "offer_human"
    for _ in range(4):
        await chat.send("xyz qwerty")
        assert chat.replies and chat.conversation.node == "offer_human", "no loop, no case"
    await chat.press("menu")
    assert chat.conversation.node == "menu"


async def test_a_reminder_button_still_records_its_answer_during_a_case(staffed: Engine) -> None:
    chat = await _in_a_case(staffed, "en")
    chat.store.reminders.add(5)
    await chat.send(choice_id="rem.5.paid")
    assert chat.store.reminder_answers == {5: "paid"}
    assert "our team has your answer" in chat.text
