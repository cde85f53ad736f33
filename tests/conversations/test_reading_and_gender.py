"""Readable on a phone, addressed to the person in their own grammar, asked only once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.content_loader import DEFAULT_CONTENT_DIR, Content, ContentError, load_content
from conversations.content_schema import Text
from conversations.engine import Engine
from conversations.labels import BUTTON_LIMIT, display_length, named_label
from conversations.paging import MESSAGE_LIMIT, split_message
from tests.conversations.chat import Chat
from tests.conversations.test_every_step import _walk_to


@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=12))
def test_split_messages_keep_every_word_and_fit(paragraphs: list[str]) -> None:
    text = "\n".join(paragraphs)
    parts = split_message(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert " ".join(parts).split() == text.split()


def test_a_long_text_is_cut_between_paragraphs() -> None:
    paragraphs = [f"Paragraphe {i}. " + "mot " * 60 for i in range(6)]
    parts = split_message("\n".join(paragraphs))
    assert len(parts) > 1
    assert all(p.startswith("Paragraphe") for p in parts)


@pytest.mark.parametrize("lang", ["fr", "ar", "en", "pt"])
async def test_no_message_is_over_700_characters_on_any_program_page(
    engine: Engine, content: Content, lang: str
) -> None:
    for code in content.programs:
        chat = Chat(engine, lang)
        await chat.send("menu")
        await chat.press("programs")
        assert all(len(r.text) <= MESSAGE_LIMIT for r in chat.replies)
        await chat.press(code)
        pages = 1
        while "more" in [c.id.partition(".")[2] for r in chat.replies for c in r.choices]:
            assert all(len(r.text) <= MESSAGE_LIMIT for r in chat.replies)
            await chat.press("more")
            pages += 1
        assert all(len(r.text) <= MESSAGE_LIMIT for r in chat.replies)
        assert f"apply:{code}" in [c.id.partition(".")[2] for r in chat.replies for c in r.choices]
        details = content.programs[code].details.get(lang)
        if len(details) > MESSAGE_LIMIT:
            assert pages > 1, f"{code} in {lang} is read in «more» steps"


def test_a_label_naming_a_program_keeps_the_name_when_too_long() -> None:
    assert named_label("Candidatar-se: ESSOR-BIOSP", "ESSOR-BIOSP", 3) == "ESSOR-BIOSP"
    assert named_label("Postuler : IESS", "IESS", 3) == "Postuler : IESS"


@pytest.mark.parametrize("lang", ["fr", "ar", "en", "pt"])
async def test_apply_buttons_of_the_results_show_whole_with_the_programs_name(
    engine: Engine, content: Content, lang: str
) -> None:
    chat = Chat(engine, lang)
    await chat.send("menu")
    await chat.apply("essor-biosp")
    await chat.press("orient")
    assert chat.conversation.node == "results"
    apply = [c for r in chat.replies for c in r.choices if ".apply:" in c.id]
    assert apply
    count = len([c for r in chat.replies for c in r.choices])
    for choice in apply:
        assert display_length(choice.label) <= (BUTTON_LIMIT if count <= 3 else 24), choice.label
        name = content.programs["essor-biosp"].short_name.get(lang)
        assert name in choice.label, "the program's name is never shortened away"


def test_a_text_has_forms_by_gender_and_neutral_until_known() -> None:
    text = Text.model_validate(
        {
            "ar": {"neutral": "هل عدت؟", "f": "هل عدتِ؟", "m": "هل عدتَ؟"},
            "fr": {"neutral": "Rentré·e ?", "f": "Rentrée ?"},
            "en": "Back?",
            "pt": "Voltou?",
        }
    )
    assert text.get("ar") == "هل عدت؟" and text.get("ar", "f") == "هل عدتِ؟"
    assert text.get("fr", "m") == "Rentré·e ?", "a missing form falls back to neutral"
    assert text.get("en", "f") == "Back?"
    with pytest.raises(ValueError, match="neutral"):
        Text.model_validate({"ar": {"f": "x"}, "fr": "x", "en": "x", "pt": "x"})


async def test_the_person_is_addressed_in_her_gender_once_she_said(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.press("orient")
    await chat.press("agree")
    await chat.send("30")
    await chat.press("woman")
    await chat.press("tn")
    await chat.press("mahdia")
    await chat.press("unemployed")
    assert "rentrée en Tunisie" in chat.text
    man = Chat(engine, "fr")
    await man.send("salut")
    await man.press("orient")
    await man.press("agree")
    await man.send("30")
    await man.press("man")
    await man.press("tn")
    await man.press("mahdia")
    await man.press("unemployed")
    assert "rentré en Tunisie" in man.text


async def test_catalog_strings_follow_the_gender_in_arabic(engine: Engine) -> None:
    chat = Chat(engine, "ar")
    await chat.send("salam")
    assert "ماذا تريد أن تفعل" in chat.text, "neutral before the gender question"
    chat.conversation.profile["gender"] = "woman"
    await chat.send("menu")
    assert "ماذا تريدين أن تفعلي" in chat.text


def test_content_check_reports_one_form_texts_that_address_the_person(
    content: Content,
) -> None:
    assert any(
        "addresses the person in one form" in w and "programs/" in w for w in content.warnings
    )
    assert not any(
        "profile.yaml" in w and "addresses the person" in w for w in content.warnings
    ), "the profile has its forms"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root


def test_content_check_fails_on_a_paragraph_longer_than_a_message(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "awareness.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('en: "Coming back from abroad"', f'en: "{"x " * 400}"'))
    with pytest.raises(ContentError, match="a paragraph of 800 characters"):
        load_content(root)


def test_content_check_fails_on_a_short_name_that_cannot_show_whole(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "programs" / "iess.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  pt: "IESS"', '  pt: "IESS Iniciativas de emprego"', 1))
    with pytest.raises(ContentError, match="short_name in pt"):
        load_content(root)


async def test_name_phone_and_sector_are_offered_back_not_asked_again(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hello")
    await chat.apply("iess")
    phone = chat.store.applications[-1]["answers"]["phone"]
    await chat.press("apply")
    await chat.press("utss-cad")
    assert "Is your name still" in chat.text
    await chat.press("keep")
    assert "still your number?" in chat.text and "+216" in chat.text
    await chat.press("change")
    assert chat.conversation.params.get("typing")
    await chat.send("22 333 444")
    assert chat.conversation.drafts["utss-cad"]["phone"] == "+21622333444"
    assert chat.conversation.drafts["utss-cad"]["full_name"]
    assert phone != "+21622333444"
    assert chat.conversation.known["phone"] == "+21622333444", "the newest number is offered next"


async def test_typing_a_new_answer_instead_of_yes_also_works(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.apply("iess")
    await chat.press("apply")
    await chat.press("utss-cad")
    await chat.send("Amel Ben Salah")
    assert chat.conversation.drafts["utss-cad"]["full_name"] == "Amel Ben Salah"


async def test_the_profiles_sector_is_offered_back_in_a_form(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hello")
    await _walk_to(chat, "iess", "form", "project_sector")
    assert "still in this sector" in chat.text and "Crafts" in chat.text
    await chat.press("keep")
    assert chat.conversation.drafts["iess"]["project_sector"] == "crafts"


async def test_validation_messages_address_a_woman_in_arabic(engine: Engine) -> None:
    chat = Chat(engine, "ar")
    await chat.send("salam")
    await _walk_to(chat, "utss-cad", "form", "household_size")
    assert chat.conversation.profile["gender"] == "woman"
    await chat.send("many")
    assert "اكتبي" in chat.text, "the feminine imperative, from the «f» catalog context"
    assert chat.text.startswith("من فضلك اكتبي"), "the feminine imperative, not «اكتب»"
