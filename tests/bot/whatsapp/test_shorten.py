"""Labels and bodies fitted to WhatsApp's limits at word boundaries, in every script."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.shorten import split_text, unique_titles
from conversations.labels import ELLIPSIS, cuts_a_word, display_length, shorten

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى"
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
arabic_words = st.text(alphabet=ARABIC + HARAKAT, min_size=1, max_size=12).filter(
    lambda w: not unicodedata.combining(w[0])
)
latin_words = st.text(alphabet="abcdeéèàçôûxyzABCDE'-", min_size=1, max_size=14)
emoji = st.sampled_from(["🌱", "👋🏽", "👩‍🌾", "🇹🇳", "❤️", "😀"])
words = st.one_of(arabic_words, latin_words, emoji)
labels = st.lists(words, min_size=1, max_size=8).map(" ".join)
limits = st.sampled_from([20, 24, 72])
PUNCTUATION = " ,;:.-–—/،؛"


def test_examples_in_each_language() -> None:
    assert shorten("Agriculture et élevage de moutons", 20) == "Agriculture…"
    assert shorten("Oui, je suis d'accord avec tout", 20) == "Oui, je suis…"
    assert shorten("الزراعة والصيد البحري في المناطق الداخلية", 20) == "الزراعة والصيد…"
    assert shorten("Comércio, pequenos negócios", 24) == "Comércio, pequenos…"
    assert shorten("Gabès (Tunisie du Sud-Est)", 20) == "Gabès", "a bracket goes first"
    assert shorten("Nos programmes", 20) == "Nos programmes", "a label that fits is kept"
    assert shorten("Supercalifragilisticexpialidocious", 20) == "Supercalifragilisti…"
    assert cuts_a_word("Supercalifragilisticexpialidocious", 20)
    assert not cuts_a_word("Agriculture et élevage de moutons", 20)


@settings(max_examples=400, deadline=None)
@given(labels, limits)
def test_a_shortened_label_fits_and_keeps_whole_words(label: str, limit: int) -> None:
    short = shorten(label, limit)
    assert 0 < display_length(short) <= limit
    if display_length(label) <= limit:
        assert short == label
        return
    assert short.endswith(ELLIPSIS)
    kept = short.removesuffix(ELLIPSIS).split()
    original = label.split()
    if not cuts_a_word(label, limit):
        whole = original[: len(kept)]
        assert kept[:-1] == whole[:-1], "whole words, in order, from the start"
        assert kept[-1] == whole[-1].rstrip(PUNCTUATION), "only trailing punctuation dropped"
    else:
        assert len(kept) == 1 and original[0].startswith(kept[0])


@settings(max_examples=300, deadline=None)
@given(st.lists(words, min_size=1, max_size=6).map(" ".join), limits)
def test_a_cut_never_separates_a_letter_from_its_marks(label: str, limit: int) -> None:
    short = shorten(label, limit).removesuffix(ELLIPSIS)
    following = label[len(short) : len(short) + 1]
    if label.startswith(short) and following:
        assert not unicodedata.combining(following)
        assert following not in "\u200d\ufe0f" and not "\U0001f3fb" <= following <= "\U0001f3ff"


@settings(max_examples=300, deadline=None)
@given(st.lists(labels, min_size=1, max_size=10, unique=True), st.sampled_from([20, 24]))
def test_titles_are_unique_and_fit(items: list[str], limit: int) -> None:
    titles = unique_titles(items, limit)
    assert len(titles) == len(items)
    assert all(0 < display_length(t) <= limit for t in titles)
    assert len(set(titles)) == len(titles)


def test_colliding_titles_keep_their_ends_apart() -> None:
    titles = unique_titles(
        ["Agriculture et pêche côtière", "Agriculture et élevage ovin", "Oui", "Oui"], 20
    )
    assert titles == ["Agriculture… côtière", "Agriculture…", "Oui", "Oui 2"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(labels, st.just("\n\n"), st.just("\n")), max_size=200), st.data())
def test_split_text_fits_and_loses_nothing(pieces: list[str], data: st.DataObject) -> None:
    text = " ".join(pieces)
    limit = data.draw(st.sampled_from([30, 100, 1024]))
    parts = split_text(text, limit)
    assert all(0 < display_length(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_split_text_prefers_paragraphs() -> None:
    text = ("Premier paragraphe. " * 30).strip() + "\n\n" + ("Second. " * 30).strip()
    parts = split_text(text, 700)
    assert parts == [("Premier paragraphe. " * 30).strip(), ("Second. " * 30).strip()]
