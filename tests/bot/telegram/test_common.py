"""Driver-neutral rendering and parsing: splitting, buttons, commands, update -> envelope."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.base import PermanentSendError, TransientSendError
from bot.telegram.api import BotApiError, send_error
from bot.telegram.commands import COMMAND_WORDS, COMMANDS, command_menus
from bot.telegram.common import (
    MAX_CALLBACK_DATA,
    MAX_TEXT,
    InvalidUpdate,
    callback_data,
    command_text,
    inline_keyboard,
    split_text,
    to_envelope,
    utf16_length,
)
from conversations.content_loader import Content
from conversations.content_schema import LANGUAGES
from conversations.i18n import Catalogs
from conversations.matching import KeywordIndex
from conversations.messages import Attachment, Choice

paragraph = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
    min_size=1,
    max_size=1500,
).filter(lambda p: p.strip() == p and p != "")


def _words(text: str) -> list[str]:
    return "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12))
def test_long_texts_are_cut_between_paragraphs(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    parts = split_text(text, limit=2000)
    assert all(0 < utf16_length(p) <= 2000 for p in parts)
    assert _words("".join(parts)) == _words(text), "nothing lost or reordered"
    for part in parts:
        assert all(piece in paragraphs for piece in part.split("\n\n")), "cut at a paragraph"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12_000))
def test_any_text_fits_in_messages(text: str) -> None:
    parts = split_text(text)
    assert all(utf16_length(p) <= MAX_TEXT for p in parts)
    assert parts
    assert _words("".join(parts)) == _words(text)


def test_a_short_text_is_one_message_and_emoji_count_double() -> None:
    assert split_text("Bonjour\n\nça va ?") == ["Bonjour\n\nça va ?"]
    emoji = "😀" * 3000  # 6,000 UTF-16 units: two messages
    parts = split_text(emoji)
    assert len(parts) == 2 and "".join(parts) == emoji


def test_a_paragraph_too_long_is_cut_at_lines_then_words() -> None:
    lines = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    assert all(p.startswith("line ") for p in split_text(lines))
    words = " ".join(["mot"] * 3000)
    assert all(p.split() == ["mot"] * len(p.split()) for p in split_text(words))


@given(st.text(min_size=1, max_size=300))
def test_callback_data_always_fits(choice_id: str) -> None:
    data = callback_data(choice_id)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    if len(choice_id.encode()) <= MAX_CALLBACK_DATA:
        assert data == choice_id, "short ids are sent as they are"


def test_buttons_carry_choice_ids_not_labels() -> None:
    choices = (
        Choice("a1b2c3.yes", "Oui"),
        Choice("a1b2c3.no", "Non"),
        Choice("a1b2c3.s", "Passer"),
    )
    assert inline_keyboard(choices) == [
        [
            {"text": "Oui", "callback_data": "a1b2c3.yes"},
            {"text": "Non", "callback_data": "a1b2c3.no"},
        ],
        [{"text": "Passer", "callback_data": "a1b2c3.s"}],
    ]
    long = (Choice("x.apply", "Postuler à ce programme de formation"), Choice("x.menu", "Menu"))
    assert [len(row) for row in inline_keyboard(long)] == [1, 1]


def _message(**fields: Any) -> dict[str, Any]:
    return {
        "update_id": 77,
        "message": {
            "message_id": 5,
            "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Z", "language_code": "pt-BR"},
            **fields,
        },
    }


def test_a_text_message() -> None:
    envelope = to_envelope(_message(text="Bonjour"))
    assert envelope is not None
    assert (envelope.channel, envelope.address, envelope.external_id) == ("telegram", "42", "77")
    assert envelope.incoming.text == "Bonjour"
    assert envelope.incoming.language_hint == "pt-BR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("menu", None)),
        ("/start iess", ("menu", "iess")),
        ("/start@massar_bot utss-cad", ("menu", "utss-cad")),
        ("/menu", ("menu", None)),
        ("/agent@massar_bot", ("agent", None)),
        ("/help", ("menu", None)),
        ("/language", ("language", None)),
        ("/stop", ("stop", None)),
        ("/delete", ("delete", None)),
        ("/Humain", ("humain", None)),
        ("/0", ("0", None)),
        ("/", ("/", None)),
        ("1/2", ("1/2", None)),
    ],
)
def test_commands_reach_the_engine_as_words(text: str, expected: tuple[str, str | None]) -> None:
    assert command_text(text) == expected


def test_a_deep_link() -> None:
    envelope = to_envelope(_message(text="/start iess"))
    assert envelope is not None
    assert (envelope.incoming.text, envelope.incoming.start_payload) == ("menu", "iess")


def test_files_are_kept_by_file_id() -> None:
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 960},
        {"file_id": "medium", "file_unique_id": "m", "width": 320, "height": 240},
    ]
    voice = {"file_id": "v1", "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}
    document = {"file_id": "d1", "file_unique_id": "d", "mime_type": "application/pdf"}
    for fields, expected in [
        ({"photo": photo, "caption": "ma carte"}, Attachment("photo", "large", "image/jpeg")),
        ({"voice": voice}, Attachment("voice", "v1", "audio/ogg")),
        ({"document": document}, Attachment("document", "d1", "application/pdf")),
    ]:
        envelope = to_envelope(_message(**fields))
        assert envelope is not None
        assert envelope.incoming.attachments == (expected,)
        assert envelope.incoming.text is None, "a caption is not an answer to the question"


def test_a_button_press() -> None:
    update = {
        "update_id": 78,
        "callback_query": {
            "id": "q1",
            "from": {"id": 42, "is_bot": False, "first_name": "Z", "language_code": "ar"},
            "chat_instance": "c",
            "data": "a1b2c3.apply:utss-cad",
            "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}},
        },
    }
    envelope = to_envelope(update)
    assert envelope is not None
    assert envelope.address == "42" and envelope.external_id == "78"
    assert envelope.incoming.choice_id == "a1b2c3.apply:utss-cad"
    assert envelope.incoming.language_hint == "ar"


def test_a_long_choice_id_comes_back_as_its_label() -> None:
    long_id = "a1b2c3." + "option-" * 12
    keyboard = inline_keyboard((Choice(long_id, "Élevage ovin"), Choice("a1b2c3.no", "Non")))
    data = keyboard[0][0]["callback_data"]
    update = {
        "update_id": 79,
        "callback_query": {
            "id": "q2",
            "from": {"id": 42, "is_bot": False, "first_name": "Z"},
            "chat_instance": "c",
            "data": data,
            "message": {
                "message_id": 9,
                "date": 1,
                "chat": {"id": 42, "type": "private"},
                "reply_markup": {"inline_keyboard": keyboard},
            },
        },
    }
    envelope = to_envelope(update)
    assert envelope is not None and envelope.incoming.text == "Élevage ovin"


def test_groups_and_other_updates_are_not_answered() -> None:
    group = _message(text="hi")
    group["message"]["chat"] = {"id": -100, "type": "group"}
    assert to_envelope(group) is None
    assert to_envelope({"update_id": 80, "edited_message": {}}) is None
    with pytest.raises(InvalidUpdate):
        to_envelope({"update_id": 81, "message": {"text": "no chat"}})


def test_every_command_is_a_keyword_of_the_engine(content: Content) -> None:
    index = KeywordIndex(content.keywords.whole_words())
    kinds = {"menu": "menu", "agent": "human", "language": "language", "stop": "stop"}
    kinds |= {"delete": "delete"}
    for command, word in COMMAND_WORDS.items():
        assert index.kind_of(word) == kinds[word], command


def test_the_command_menu_is_translated(catalogs: Catalogs) -> None:
    menus = command_menus(catalogs, "fr")
    assert set(menus) == {None, *LANGUAGES}
    assert [c.name for c in menus["ar"]] == [c.name for c in COMMANDS]
    for lang in LANGUAGES:
        descriptions = [c.description for c in menus[lang]]
        assert all(0 < len(d) <= 256 for d in descriptions)
        if lang != "en":
            english = [c.description for c in COMMANDS]
            assert all(d != e for d, e in zip(descriptions, english, strict=True)), lang
    assert menus[None] == menus["fr"], "the default menu is in the deployment's language"


@pytest.mark.parametrize(
    ("error", "kind", "unreachable"),
    [
        (BotApiError("Too Many Requests: retry after 7", status=429, retry_after=7), "T", False),
        (BotApiError("Bad Gateway"), "T", False),
        (BotApiError("Unauthorized", status=401), "T", False),
        (BotApiError("Forbidden: bot was blocked by the user", status=403), "P", True),
        (BotApiError("Bad Request: chat not found", status=400), "P", True),
        (BotApiError("Bad Request: message is too long", status=400), "P", False),
    ],
)
def test_api_errors_become_send_errors(error: BotApiError, kind: str, unreachable: bool) -> None:
    result = send_error(error)
    if kind == "T":
        assert isinstance(result, TransientSendError)
        if error.status == 429:
            assert result.retry_after == 7
    else:
        assert isinstance(result, PermanentSendError) and result.unreachable == unreachable
