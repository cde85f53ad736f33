"""Fitting text into WhatsApp's limits without making nonsense of it.

Titles are shortened at word boundaries (:func:`conversations.labels.shorten`) and kept unique,
since WhatsApp refuses two buttons with one title and a person could not tell two rows apart.
Bodies too long for one message are split at paragraphs, then lines, then sentences, then
words.
"""

from __future__ import annotations

import re

from conversations.labels import ELLIPSIS, display_length, safe_cut, shorten

#: Where a long text may be split, best first.
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?؟])\s"))
_SPACE = re.compile(r"\s")


def unique_titles(labels: list[str], limit: int) -> list[str]:
    """Each label within ``limit``, shortened at word boundaries, no two alike.

    When two shortened labels collide ("Agriculture…" twice), their ends are kept instead
    ("Agriculture… pêche", "Agriculture… élevage"); a number is the last resort.
    """
    titles = [shorten(label, limit) or ELLIPSIS for label in labels]
    for index, title in enumerate(titles):
        if titles.count(title) == 1:
            continue
        for variant in _with_ending(labels[index], limit):
            if variant not in titles:
                titles[index] = variant
                break
    seen: set[str] = set()
    for index, title in enumerate(titles):
        number = 2
        while title in seen:
            suffix = f" {number}"
            title = (shorten(labels[index], limit - display_length(suffix)) or ELLIPSIS) + suffix
            number += 1
        seen.add(title)
        titles[index] = title
    return titles


def _with_ending(label: str, limit: int) -> list[str]:
    """Shortenings that keep the label's last words: "first words… last words"."""
    words = label.split()
    variants: list[str] = []
    for count in range(1, len(words)):
        tail = " ".join(words[-count:])
        room = limit - display_length(tail) - display_length(ELLIPSIS)
        head_words = words[: len(words) - count]
        head: list[str] = []
        for word in head_words:
            if display_length(" ".join([*head, word])) > room:
                break
            head.append(word)
        if head and len(head) < len(head_words):
            variants.append(f"{' '.join(head)}{ELLIPSIS} {tail}")
    return [v for v in variants if display_length(v) <= limit]


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, split where a reader would pause."""
    text = text.strip()
    parts: list[str] = []
    while display_length(text) > limit:
        cut = _cut_point(text, limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def _cut_point(text: str, limit: int) -> int:
    """Where to end the first part: the last good break within ``limit``."""
    window = text[: safe_cut(text, limit)]
    for pattern in _BREAKS:
        ends = [m.start() for m in pattern.finditer(window) if m.start() > len(window) // 3]
        if ends:
            return ends[-1]
    spaces = [m.start() for m in _SPACE.finditer(window) if m.start() > 0]
    return spaces[-1] if spaces else max(len(window), 1)
