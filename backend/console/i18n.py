"""The console's language: the staff member's choice, else what their browser asks for.

Strings come from the same Babel catalogs as the bot's (``locales/``), read through
:class:`conversations.i18n.Catalogs`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from conversations.content_schema import LANGUAGES
from conversations.i18n import Catalogs

#: The cookie that keeps the language chosen on the sign-in page, before there is a session.
LANGUAGE_COOKIE = "massar_console_lang"


@lru_cache(maxsize=4)
def catalogs(locales_dir: Path) -> Catalogs:
    """The catalogs, loaded once per folder."""
    return Catalogs(locales_dir)


def from_accept_language(header: str | None, default: str) -> str:
    """The first language of an ``Accept-Language`` header the console speaks, by weight."""
    if not header:
        return default
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.strip().replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            weighted.append((-weight, index, base))
    return sorted(weighted)[0][2] if weighted else default


def valid_language(value: str | None) -> str | None:
    """``value`` when the console speaks it."""
    return value if value in LANGUAGES else None
