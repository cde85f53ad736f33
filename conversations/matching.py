"""Forgiving matching of what people type against what the bot offers.

People type on cheap phones, in four languages, in Arabic script or in Latin-script derja
("3aslema", "9a2ima"), with typos, emoji and Eastern Arabic digits. Everything here reduces
text to a comparable key and finds the choice it most plausibly means, or nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTER_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
#: Longest input worth comparing with labels; a 5,000-character message is not a button.
_MAX_MATCH_LENGTH = 80
_FUZZY_THRESHOLD = 0.8


def to_ascii_digits(text: str) -> str:
    """Replace Eastern Arabic and Persian digits with 0-9."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """A comparison key: lower case, no accents, no Arabic diacritics, no punctuation or emoji."""
    text = to_ascii_digits(unicodedata.normalize("NFKC", text)).casefold()
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTER_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c) or _is_arabic(c))
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


@dataclass(frozen=True)
class Candidate:
    """Something a person may pick: its id, the label shown, and other words for it."""

    id: str
    label: str
    synonyms: tuple[str, ...] = ()


def match_choice(
    text: str, candidates: Sequence[Candidate], *, numbered: bool = True
) -> Candidate | None:
    """The candidate ``text`` designates: by its number, label, a synonym, a unique prefix or a
    close spelling. ``None`` when nothing, or more than one thing, fits.

    With ``numbered`` false (a question that expects a number), digits never pick a choice.
    """
    key = normalize(text)
    if not key or len(key) > _MAX_MATCH_LENGTH:
        return None
    if key.isdigit():
        if not numbered:
            return None
        index = int(key)
        return candidates[index - 1] if 1 <= index <= len(candidates) else None
    leading = re.match(r"^(\d{1,2}) (?!\d)", key) if numbered else None
    exact = [c for c in candidates if key in _keys(c)]
    if len(exact) == 1:
        return exact[0]
    if leading and not exact:
        index = int(leading.group(1))
        if 1 <= index <= len(candidates):
            return candidates[index - 1]
    if len(key) >= 3:
        prefixed = [c for c in candidates if any(k.startswith(key) for k in _keys(c))]
        if len(prefixed) == 1:
            return prefixed[0]
        contained = [c for c in candidates if any(_has_word(key, k) for k in _keys(c))]
        if len(contained) == 1:
            return contained[0]
    return _closest(key, candidates)


@functools.lru_cache(maxsize=4096)
def _keys(candidate: Candidate) -> frozenset[str]:
    """The keys a candidate answers to; the content's labels come back every turn, so each
    candidate is normalised once."""
    return frozenset(
        k for k in (normalize(w) for w in (candidate.label, *candidate.synonyms)) if k
    )


def _has_word(text_key: str, label_key: str) -> bool:
    """True when the whole label appears as words inside what was typed ("I choose Mahdia")."""
    return f" {label_key} " in f" {text_key} " and len(label_key) >= 3


def _closest(key: str, candidates: Sequence[Candidate]) -> Candidate | None:
    scored: list[tuple[float, Candidate]] = []
    for candidate in candidates:
        best = max((SequenceMatcher(None, key, k).ratio() for k in _keys(candidate)), default=0.0)
        scored.append((best, candidate))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < _FUZZY_THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.05:
        return None
    return scored[0][1]


#: Words this long or longer are recognised with one typo (a letter missing, added, changed
#: or two letters swapped); shorter words are too close to each other for that.
TYPO_MIN_LENGTH = 5


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at Damerau-Levenshtein distance at most 1."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class KeywordIndex:
    """Finds which global word (menu, human, stop...) a message is, if it is one."""

    def __init__(self, words_by_kind: dict[str, Iterable[str]]) -> None:
        self._kinds: dict[str, str] = {}
        for kind, words in words_by_kind.items():
            for word in words:
                self._kinds[normalize(word)] = kind
        self._long = [(k, kind) for k, kind in self._kinds.items() if len(k) >= TYPO_MIN_LENGTH]

    def kind_of(self, text: str, *, typos: bool = False) -> str | None:
        """The keyword kind of the whole message, ignoring case, accents, punctuation, emoji.

        With ``typos``, a message of five letters or more one typo away from a keyword of one
        kind only is that kind ("supprimmer", "retuor"). Callers allow it only where the person
        is not typing a free answer, so a name such as "Salma" never reads as "salam".
        """
        key = normalize(text)
        if not key or len(key) > _MAX_MATCH_LENGTH:
            return None
        exact = self._kinds.get(key)
        if exact or not typos or len(key) < TYPO_MIN_LENGTH:
            return exact
        kinds = {kind for word, kind in self._long if within_one_edit(key, word)}
        return kinds.pop() if len(kinds) == 1 else None

    def typo_clashes(self) -> list[tuple[str, str]]:
        """Pairs of keywords of different kinds one typo apart: typing either is ambiguous."""
        return [
            (a, b)
            for i, (a, kind_a) in enumerate(self._long)
            for b, kind_b in self._long[i + 1 :]
            if kind_a != kind_b and within_one_edit(a, b)
        ]
