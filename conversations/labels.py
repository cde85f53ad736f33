"""Short labels for channels that limit them (WhatsApp: 20 characters a button, 24 a list row).

A label too long is shortened at a word boundary and ends with an ellipsis, so it still reads as
words in every language, Arabic included. Only a single word longer than the limit has to be
cut inside; the content check (:func:`label_warnings`) names those labels so staff can rephrase
them. Lengths are counted in UTF-16 code units, the stricter of the ways an API may count, so an
emoji never pushes a label over a limit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from conversations.content_schema import (
    LANGUAGES,
    Awareness,
    Option,
    Profile,
    Program,
    Sectors,
    Text,
)

ELLIPSIS = "…"
#: WhatsApp's reply-button title limit and most reply buttons in one message.
BUTTON_LIMIT = 20
MAX_BUTTONS = 3
#: WhatsApp's list-row title limit.
LIST_ROW_LIMIT = 24
#: Characters that belong to the character before them: never cut just before one.
_JOINERS = frozenset({"\u200c", "\u200d", "\ufe0e", "\ufe0f"})
_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_TRAILING = " ,;:.-–—/،؛"
#: Little words a shortened label should not end on ("Agriculture et…" says less than
#: "Agriculture…").
_CONNECTORS = frozenset(
    " ".join(
        (
            "de du des et ou à au aux la le les l d en pour avec sur par un une",  # fr
            "of and or the a an to for with in on by at",  # en
            "do da dos das e o os as em no na nos nas para com por um uma",  # pt
            "و في من على إلى الى عن مع أو او ثم ب ل",  # ar
        )
    ).split(" ")
)


def display_length(text: str) -> int:
    """The length an API counts at most: UTF-16 code units (an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _belongs_to_previous(char: str) -> bool:
    return (
        unicodedata.combining(char) > 0
        or char in _JOINERS
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
        or unicodedata.category(char) == "Mn"
    )


def safe_cut(text: str, limit: int) -> int:
    """The longest prefix length within ``limit`` that does not split a character from its
    marks (Arabic vowel signs, accents, emoji joiners and modifiers)."""
    end, used = 0, 0
    for index, char in enumerate(text):
        used += display_length(char)
        if used > limit:
            break
        end = index + 1
    while 0 < end < len(text) and _belongs_to_previous(text[end]):
        end -= 1
    return end


def _is_connector(word: str) -> bool:
    key = word.casefold().strip(_TRAILING + "'’")
    return key in _CONNECTORS or key.rstrip("'’") in {"l", "d"}


def shorten(label: str, limit: int) -> str:
    """``label`` in at most ``limit`` characters: whole words and an ellipsis when too long."""
    text = " ".join(label.split())
    if display_length(text) <= limit:
        return text
    bare = " ".join(_BRACKETS.sub("", text).split())
    if bare and display_length(bare) <= limit:
        return bare
    text = bare or text
    budget = limit - display_length(ELLIPSIS)
    kept: list[str] = []
    for word in text.split(" "):
        if display_length(" ".join([*kept, word])) > budget:
            break
        kept.append(word)
    while len(kept) > 1 and _is_connector(kept[-1]):
        kept.pop()
    head = " ".join(kept).rstrip(_TRAILING)
    if head:
        return head + ELLIPSIS
    return text[: safe_cut(text, budget)].rstrip(_TRAILING) + ELLIPSIS


def limit_for(count: int) -> int:
    """How many characters a choice label has when ``count`` choices are shown together."""
    return BUTTON_LIMIT if count <= MAX_BUTTONS else LIST_ROW_LIMIT


def named_label(label: str, name: str, count: int) -> str:
    """A label that names something (``Candidatar-se: ESSOR-BIOSP``), or the name alone when
    the whole label would not fit: shortening must never leave ``Candidatar-se…`` without the
    program it is for."""
    if display_length(label) <= limit_for(count):
        return label
    return name


def cuts_a_word(label: str, limit: int) -> bool:
    """Whether shortening ``label`` to ``limit`` has to cut inside a word."""
    short = shorten(label, limit)
    if not short.endswith(ELLIPSIS):
        return False
    words = {w.strip(_TRAILING) for w in _BRACKETS.sub("", label).split()}
    return not all(w.strip(_TRAILING) in words for w in short.removesuffix(ELLIPSIS).split())


def label_warnings(
    *,
    profile: Profile,
    programs: Iterable[Program],
    awareness: Awareness,
    sectors: Sectors,
) -> list[str]:
    """Where a content label will not show whole on WhatsApp, and what it will read instead.

    Up to three choices are buttons (20 characters), more are list rows (24).
    """
    warnings: list[str] = []
    for question in profile.questions:
        count = len(question.options) + (0 if question.required else 1)
        where = f"profile.yaml: questions ({question.id})"
        warnings += _check(where, "option", _labels(question.options), count)
    for program in programs:
        file = f"programs/{program.code}.yaml"
        chains = _labels(program.value_chains)
        warnings += _check(f"{file}: value_chains", "option", chains, len(chains))
        for question in program.form:
            count = len(question.options) + (0 if question.required else 1)
            where = f"{file}: form ({question.id})"
            warnings += _check(where, "option", _labels(question.options), count)
        name = [(program.code, program.short_name)]
        warnings += _check(f"{file}: short_name", "name", name, MAX_BUTTONS + 1)
    titles = [(a.id, a.title) for a in awareness.articles]
    warnings += _check("awareness.yaml: articles", "title", titles, MAX_BUTTONS + 1)
    options = _labels(sectors.sectors)
    warnings += _check("sectors.yaml: sectors", "option", options, len(options))
    return warnings


def _labels(options: list[Option]) -> list[tuple[str, Text]]:
    return [(o.id, o.label) for o in options]


def _check(where: str, what: str, labels: list[tuple[str, Text]], count: int) -> list[str]:
    limit, shown = (BUTTON_LIMIT, "buttons") if count <= MAX_BUTTONS else (LIST_ROW_LIMIT, "rows")
    found: list[str] = []
    for item_id, text in labels:
        for lang in LANGUAGES:
            label = text.get(lang)
            if display_length(label) <= limit:
                continue
            message = (
                f"{where}: {what} '{item_id}' in {lang} has {display_length(label)} characters;"
                f" WhatsApp {shown} show {limit}, so it will read «{shorten(label, limit)}»"
            )
            if cuts_a_word(label, limit):
                message += ": a word has to be cut, please rephrase it"
            found.append(message)
    return found
