"""Reading a linking code as people type it: ``123456``, ``123 456``, ``12-34-56``, Arabic-Indic
``١٢٣٤٥٦``, full-width digits from some keyboards, or after the linking word ("code 123456").
"""

from __future__ import annotations

import re
import unicodedata

from conversations.matching import KeywordIndex, normalize

#: Digits in a linking code (the backend issues codes of this length).
CODE_DIGITS = 6
#: What people put between digits: spaces of every kind, dashes, dots, slashes, commas.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.,/·•*#]+", re.UNICODE)
#: The linking word and a code after it, once normalised ("code 123456", "رمز 123 456").
_WORD_AND_CODE = re.compile(r"^(\D+?)\s+(\d[\d ]*)$")


def parse_code(text: str) -> str | None:
    """The six ASCII digits of a code, or ``None`` when ``text`` is not one.

    Any Unicode decimal digit counts (NFKC folds full-width digits; Arabic-Indic and Persian
    digits are read by value); separators between digits are dropped; any other character
    means this is not a code.
    """
    folded = unicodedata.normalize("NFKC", text)
    digits: list[str] = []
    for part in _SEPARATORS.split(folded):
        for char in part:
            value = unicodedata.decimal(char, None)
            if value is None:
                return None
            digits.append(str(value))
    return "".join(digits) if len(digits) == CODE_DIGITS else None


def code_after_word(text: str, keywords: KeywordIndex, kind: str) -> str | None:
    """The code in "<linking word> <code>", so a code works at any step when named."""
    key = normalize(text)
    found = _WORD_AND_CODE.match(key)
    if found is None or keywords.kind_of(found.group(1)) != kind:
        return None
    return parse_code(found.group(2))
