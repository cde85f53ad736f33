"""Catalog upkeep for ``make i18n``: the English catalog mirrors its English source strings.

Interface strings are written in English in the code, so the ``en`` catalog's translations
are the source strings themselves; filling them keeps "no untranslated string in a shipped
language" true for English too, and lets an editor still reword the English later.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_source_catalog(path: Path) -> int:
    """Copy each msgid into its empty msgstr; returns how many were filled."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, include_lineno=False)
    return filled


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "locales/en/LC_MESSAGES/messages.po")
    print(f"{fill_source_catalog(target)} English strings filled in {target}")
