"""Numbers, phone numbers, references and amounts that read right inside Arabic text.

In a right-to-left paragraph the Unicode bidirectional algorithm reorders a run such as
``+216 98 123 456`` into ``456 123 98 216+`` and breaks ``LEMMA-2026-00001`` around its hyphens.
Wrapping each left-to-right run in LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE keeps it in
one piece and in its own order, and leaves the Arabic around it untouched. Telegram and WhatsApp
show these invisible characters correctly; the web page turns them into ``<bdi>``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from conversations.messages import Outgoing

LRI = "\u2066"
PDI = "\u2069"
#: A run of digits and Latin letters, with the signs that hold a number, a phone number, a
#: reference or an amount together, and spaces between groups of digits.
_D = "0-9\u0660-\u0669\u06f0-\u06f9"
_RUN = re.compile(
    rf"(?<![{_D}A-Za-z\u2066])"
    rf"[+(]?[{_D}A-Za-z][{_D}A-Za-z.,:/'\-_@#%)]*"
    rf"(?:[ \u00a0\u202f]+[+(]?[{_D}][{_D}A-Za-z.,:/'\-_@#%)]*)*"
)
_TRAILING = ".,:;'"


def isolate(text: str) -> str:
    """``text`` with every left-to-right run holding a digit wrapped in LRI ... PDI.

    Idempotent: a text already isolated is returned unchanged.
    """
    if LRI in text:
        return text
    return _RUN.sub(_wrap, text)


def _wrap(match: re.Match[str]) -> str:
    run = match.group(0)
    core = run.rstrip(_TRAILING)
    if core.endswith(")") and "(" not in core:
        core = core[:-1]
    if not any(c.isdigit() for c in core):
        return run
    return f"{LRI}{core}{PDI}{run[len(core) :]}"


def for_display(message: Outgoing) -> Outgoing:
    """The message as a channel shows it: right-to-left text gets its runs isolated."""
    if message.direction != "rtl":
        return message
    return replace(message, text=isolate(message.text))
