"""The console's language before sign-in: the browser's Accept-Language, by weight."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.console.i18n import from_accept_language
from conversations.content_schema import LANGUAGES


def test_the_heaviest_language_the_console_speaks_wins() -> None:
    assert from_accept_language("de-DE,ar;q=0.8,fr;q=0.9", "en") == "fr"
    assert from_accept_language("ar-TN,ar;q=0.9", "fr") == "ar"
    assert from_accept_language("pt-MZ", "fr") == "pt"
    assert from_accept_language("de, it;q=0.5", "fr") == "fr", "none spoken: the default"
    assert from_accept_language("en;q=0, fr;q=0.1", "pt") == "fr", "q=0 means not wanted"
    assert from_accept_language(None, "ar") == "ar"


@given(st.text(max_size=80))
def test_any_header_gives_a_language_the_console_speaks(header: str) -> None:
    assert from_accept_language(header, "fr") in LANGUAGES
