"""Every program, start to finish, in several languages, by buttons and by typing."""

from __future__ import annotations

import re

import pytest

from conversations.engine import Engine
from tests.conversations.chat import Chat
from tests.support import ELIGIBLE_PROFILES, PERSONAL_NAME

PROGRAMS = list(ELIGIBLE_PROFILES)
PREFIXES = {
    "utss-cad": "UTSS",
    "iess": "IESS",
    "joud-nefzaoua": "JOUD",
    "lemma-mahdia": "LEMMA",
    "essor-biosp": "ESSOR",
}


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("lang", ["ar", "fr", "en", "pt"])
async def test_full_application_by_buttons(engine: Engine, program: str, lang: str) -> None:
    chat = Chat(engine, lang)
    await chat.send("salam")
    reference = await chat.apply(program)

    assert re.fullmatch(rf"{PREFIXES[program]}-2026-\d{{5}}", reference)
    assert reference in chat.text
    application = chat.store.applications[-1]
    assert application["language"] == lang
    assert PERSONAL_NAME in application["answers"].values()
    assert all(r.language == lang for r in chat.replies)


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_full_application_by_typing_labels(engine: Engine, program: str, lang: str) -> None:
    chat = Chat(engine, lang)
    await chat.send("bonjour")
    reference = await chat.apply(program, typed=True)
    assert reference.startswith(PREFIXES[program])


async def test_my_applications_shows_reference_and_status(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hello")
    reference = await chat.apply("iess")
    await chat.press("mine")
    assert reference in chat.text
    assert "waiting for review" in chat.text


async def test_summary_lets_any_answer_be_changed(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hello")
    for _ in range(40):
        if chat.conversation.node == "summary":
            break
        from tests.support import autopilot_answer

        text, option = autopilot_answer(engine.content, chat.conversation, "utss-cad", "en")
        await (chat.send(text) if option is None else chat.press(option))
    assert chat.conversation.node == "summary"
    assert PERSONAL_NAME in chat.text
    await chat.press("edit")
    await chat.press("full_name")
    await chat.send("Salma Trabelsi")
    assert chat.conversation.node == "summary", "after one edit, straight back to the summary"
    assert "Salma Trabelsi" in chat.text and PERSONAL_NAME not in chat.text
    await chat.press("send")
    assert chat.store.applications[-1]["answers"]["full_name"] == "Salma Trabelsi"


async def test_changing_an_answer_asks_the_fields_it_opens(engine: Engine) -> None:
    """Switching IESS's project to collective makes the group size required."""
    chat = Chat(engine, "en")
    await chat.send("hello")
    from tests.support import autopilot_answer

    for _ in range(40):
        if chat.conversation.node == "summary":
            break
        node, params = chat.conversation.node, chat.conversation.params
        if node == "form" and params["field"] == "project_kind":
            await chat.press("individual")
            continue
        text, option = autopilot_answer(engine.content, chat.conversation, "iess", "en")
        await (chat.send(text) if option is None else chat.press(option))
    assert "group_size" not in chat.conversation.drafts["iess"]
    await chat.press("edit")
    await chat.press("project_kind")
    await chat.press("collective")
    assert chat.conversation.params["field"] == "group_size"
    await chat.send("7")
    assert chat.conversation.node == "summary"
    await chat.press("send")
    assert chat.store.applications[-1]["answers"]["group_size"] == 7


async def test_ineligible_person_is_told_the_rule_and_where_to_turn(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("bonjour")
    chat.conversation.consent_version = engine.content.consent.version
    chat.conversation.profile = dict(ELIGIBLE_PROFILES["iess"], governorate="sfax")
    await chat.press("apply")
    await chat.press("iess")
    assert "Jendouba, Kasserine, Sidi Bouzid et Mahdia" in chat.text
    assert "ANETI" in chat.text
    assert not chat.store.applications


async def test_second_application_to_same_program_is_refused_with_reference(
    engine: Engine,
) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    reference = await chat.apply("essor-biosp")
    await chat.press("apply")
    await chat.press("essor-biosp")
    assert reference in chat.text
    assert len(chat.store.applications) == 1
