"""Messages short enough to read on a phone.

No message the bot sends is over :data:`MESSAGE_LIMIT` characters. A long text is cut between
paragraphs (a blank line, then a line break); only a paragraph longer than the limit on its own
is cut between sentences, then between words. ``massar content check`` rejects such paragraphs
in content, so in practice every cut falls between paragraphs.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 700
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+")


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as consecutive parts of at most ``limit`` characters, cut where it reads best."""
    if len(text) <= limit:
        return [text]
    return _pack(text, limit, ["\n\n", "\n"])


def _pack(text: str, limit: int, separators: list[str]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return _by_sentences(text, limit)
    separator, rest = separators[0], separators[1:]
    pieces = text.split(separator)
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(piece) <= limit:
            current = piece
        else:
            *whole, current = _pack(piece, limit, rest)
            parts.extend(whole)
    if current:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


def _by_sentences(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        for word in _words_within(sentence, limit):
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = word
    if current:
        parts.append(current)
    return parts


def _words_within(sentence: str, limit: int) -> list[str]:
    """The sentence whole when it fits, else its words (a word over the limit is cut)."""
    if len(sentence) <= limit:
        return [sentence]
    words: list[str] = []
    for word in sentence.split():
        words.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return words


def long_paragraphs(text: str, limit: int = MESSAGE_LIMIT) -> list[int]:
    """The lengths of the paragraphs (lines) of ``text`` that are over ``limit`` on their own."""
    return [len(line) for line in text.split("\n") if len(line) > limit]
