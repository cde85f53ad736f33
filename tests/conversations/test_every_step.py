"""Words that work at every step, invalid answers at every question type, resuming later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversations.engine import Engine
from tests.conversations.chat import Chat
from tests.support import ELIGIBLE_PROFILES, autopilot_answer


async def _walk_to(chat: Chat, program: str, node: str, field: str | None = None) -> None:
    for _ in range(60):
        conversation = chat.conversation
        if conversation.node == node and (
            field is None
            or conversation.params.get("field") == field
            or conversation.params.get("q") == field
        ):
            return
        text, option = autopilot_answer(chat.engine.content, conversation, program, chat.lang)
        await (chat.send(text) if option is None else chat.press(option))
    raise AssertionError(f"never reached {node} {field}")


def _steps(engine: Engine, program: str) -> list[tuple[str, str]]:
    profile = [
        ("profile", q.id)
        for q in engine.content.profile.questions
        if q.id in ELIGIBLE_PROFILES[program]
    ]
    form = [("form", q.id) for q in engine.content.programs[program].form if q.when is None]
    return [("consent", ""), *profile, *form, ("summary", "")]


@pytest.mark.parametrize("word", ["menu", "0", "قائمة", "MENU!", "9a2ima"])
async def test_menu_word_works_at_every_step(engine: Engine, word: str) -> None:
    for node, field in _steps(engine, "iess"):
        chat = Chat(engine, "fr")
        await chat.send("salut")
        await _walk_to(chat, "iess", node, field or None)
        await chat.send(word)
        assert chat.conversation.node == "menu", (node, field)
        assert "Postuler" in chat.labels or "Apply" in chat.labels


@pytest.mark.parametrize("word", ["agent", "humain", "human", "عون", "3oun"])
async def test_human_word_records_handoff_and_keeps_the_place(engine: Engine, word: str) -> None:
    for node, field in _steps(engine, "lemma-mahdia")[::3]:
        chat = Chat(engine, "ar")
        await chat.send("سلام")
        await _walk_to(chat, "lemma-mahdia", node, field or None)
        before = (chat.conversation.node, dict(chat.conversation.params))
        await chat.send(word)
        assert chat.store.handoffs == ["requested"]
        assert chat.conversation.case_open
        assert (chat.conversation.node, chat.conversation.params) == before


async def test_stop_opts_out_of_reminders_without_losing_the_place(engine: Engine) -> None:
    chat = Chat(engine, "pt")
    await chat.send("olá")
    await _walk_to(chat, "essor-biosp", "form", "town")
    await chat.send("stop")
    assert chat.conversation.reminders_opt_out
    assert chat.conversation.params["field"] == "town"


async def test_language_can_change_mid_form_and_the_question_comes_back(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await _walk_to(chat, "iess", "form", "phone")
    await chat.send("langue")
    assert chat.conversation.node == "language"
    await chat.send("العربية")
    assert chat.conversation.language == "ar"
    assert chat.conversation.params["field"] == "phone"
    assert all(r.direction == "rtl" for r in chat.replies)
    phone = next(q for q in engine.content.programs["iess"].form if q.id == "phone")
    assert phone.prompt.ar in chat.text


async def test_back_goes_to_the_previous_question(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    await _walk_to(chat, "iess", "form", "phone")
    await chat.send("back")
    assert chat.conversation.params["field"] == "full_name"
    await chat.send("Amel Ben Salah")
    assert chat.conversation.params["field"] == "phone"


async def test_delete_asks_for_confirmation_first(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    reference = await chat.apply("iess")
    await chat.send("supprimer")
    assert chat.store.applications, "nothing is erased before confirmation"
    await chat.press("cancel")
    assert chat.store.applications and chat.store.erased == 0
    await chat.send("supprimer")
    await chat.press("confirm")
    assert chat.store.erased == 1
    assert chat.conversation.erased and chat.conversation.profile == {}
    assert chat.conversation.consent_version is None
    assert reference not in chat.text


INVALID = {
    "age": ["abc", "-4", "200", "٣٠٠", "😀", "x" * 5000],
    "full_name": ["", "   ", "🙂🙂🙂", "x" * 5000],
    "phone": ["123", "allo allo", "+33 6 12 34 56 78 90", "٠٠٠"],
    # No ceiling any more: the UTSS document sets no amount range ("99999999" is accepted).
    "amount_requested": ["beaucoup", "1,5555", "-300", "0,5", "1 2 3"],
    "household_size": ["many", "-1", "1000", "2.5.6"],
}


@pytest.mark.parametrize("lang", ["fr", "ar", "en", "pt"])
async def test_invalid_answers_are_reasked_in_the_persons_language(
    engine: Engine, lang: str
) -> None:
    for field, answers in INVALID.items():
        for answer in answers:
            chat = Chat(engine, lang)
            await chat.send("hello")
            node = "profile" if field == "age" else "form"
            await _walk_to(chat, "utss-cad", node, field)
            before = dict(chat.conversation.drafts.get("utss-cad", {}))
            await chat.send(answer)
            params = chat.conversation.params
            assert params.get("field", params.get("q")) == field, (field, answer)
            assert chat.conversation.drafts.get("utss-cad", {}) == before
            assert len(chat.replies) >= 2, "an explanation, then the question again"
            assert all(r.language == lang for r in chat.replies)


async def test_three_misunderstood_answers_offer_a_person(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    await chat.press("orient")
    await chat.press("agree")
    await chat.send("30")
    for _ in range(2):
        await chat.send("banana")
        assert chat.conversation.params["q"] == "gender"
        assert "Please choose one of the options" in chat.text
    assert chat.store.handoffs == []
    await chat.send("banana")
    assert chat.store.handoffs == [], "a person is offered, not called without asking"
    assert not chat.conversation.case_open
    assert "talk to a member of our team" in chat.text
    assert "Talk to a person" in chat.labels
    await chat.press("retry")
    assert chat.conversation.params["q"] == "gender", "trying again asks the question again"
    for _ in range(3):
        await chat.send("banana")
    await chat.press("human")
    assert chat.store.handoffs == ["misunderstood"]
    assert chat.conversation.case_open


async def test_old_button_is_recognised_as_old(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    old = chat.button("orient")
    await chat.press("programs")
    await chat.send(choice_id=old)
    assert chat.conversation.node == "programs"
    assert "earlier question" in chat.text


async def test_coming_back_three_weeks_later_offers_to_continue(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await _walk_to(chat, "joud-nefzaoua", "form", "project_description")
    draft = dict(chat.conversation.drafts["joud-nefzaoua"])
    chat.clock.advance(timedelta(days=21))
    await chat.send("bonjour")
    assert chat.conversation.node == "resume"
    await chat.press("continue")
    assert chat.conversation.params["field"] == "project_description"
    assert chat.conversation.drafts["joud-nefzaoua"] == draft
    reference = await chat.apply("joud-nefzaoua")
    assert reference.startswith("JOUD-")


async def test_deep_link_opens_the_program(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send(None, start_payload="joud-nefzaoua")
    assert chat.conversation.node == "program"
    assert engine.content.programs["joud-nefzaoua"].name.fr in chat.text


async def test_first_contact_language_comes_from_the_hint(engine: Engine) -> None:
    for hint, lang in [("pt-BR", "pt"), ("ar_TN", "ar"), ("de", "fr"), (None, "fr")]:
        conversation = engine.new_conversation(hint)
        assert conversation.language == lang


async def test_refusing_consent_keeps_nothing_and_offers_reading(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    await chat.press("orient")
    await chat.press("refuse")
    assert chat.conversation.consent_version is None
    assert chat.conversation.profile == {}
    assert chat.conversation.node == "menu"
    await chat.press("apply")
    await chat.press("iess")
    assert chat.conversation.node == "consent", "no personal question without consent"
