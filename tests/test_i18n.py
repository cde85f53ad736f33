"""Every shipped language is complete: catalogs, content, formats and direction."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pydantic import BaseModel

from conversations.content_loader import Content
from conversations.content_schema import LANGUAGES, Text
from conversations.i18n import Catalogs

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{\w+\}")


def _catalog(lang: str):
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _template_ids() -> set[str]:
    with (ROOT / "locales" / "messages.pot").open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_string_translated_and_none_fuzzy(lang: str) -> None:
    catalog = _catalog(lang)
    problems = []
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        ids.add(message.id)
        if not message.string:
            problems.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id!r}")
    missing = _template_ids() - ids
    problems += [f"missing (run make i18n): {m!r}" for m in sorted(missing)]
    assert problems == []


def test_template_lists_every_string_in_the_code() -> None:
    """A string used in code but never extracted would reach people in English."""
    sources = [
        *ROOT.glob("conversations/**/*.py"),
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("backend/**/*.py"),
    ]
    pattern = re.compile(r"""(?:gettext|\b_)\(\s*((?:"[^"\\]*"\s*)+)\)""")
    used = set()
    for path in sources:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            used.add("".join(re.findall(r'"([^"\\]*)"', match.group(1))))
    assert used, "the scan finds the strings"
    assert used - _template_ids() == set()


def _texts(model: object) -> list[Text]:
    found: list[Text] = []
    if isinstance(model, Text):
        return [model]
    if isinstance(model, list | tuple):
        for item in model:
            found += _texts(item)
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += _texts(getattr(model, name))
    elif isinstance(model, dict):
        for item in model.values():
            found += _texts(item)
    return found


def test_every_content_text_exists_in_every_language(content: Content) -> None:
    texts = _texts(
        [
            content.profile,
            content.awareness,
            content.sectors,
            content.consent,
            list(content.programs.values()),
        ]
    )
    assert len(texts) > 200
    for text in texts:
        assert all(text.get(lang).strip() for lang in LANGUAGES)
    arabic = [form for t in texts for form in t.forms("ar")]
    assert all(re.search("[\u0600-\u06ff]", a) or a.isupper() or a.isascii() for a in arabic)


def test_formats_follow_the_locale(catalogs: Catalogs) -> None:
    day = date(2026, 3, 5)
    assert catalogs.get("fr").amount(1_500_250, "TND") == "1\u202f500,250\xa0DT"
    assert catalogs.get("en").amount(1_500_250, "TND") == "TND1,500.250"
    assert "٫" not in catalogs.get("ar").amount(1_500_250, "TND")
    assert catalogs.get("pt").date(day) == "05/03/2026"
    assert catalogs.get("fr").date(day) == "5 mars 2026"
    assert catalogs.get("ar").direction == "rtl" and catalogs.get("fr").direction == "ltr"
    assert catalogs.get("pt").join(["a", "b", "c"]) == "a, b e c"


def test_a_missing_compiled_catalog_is_compiled_from_the_po(tmp_path: Path) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes(
        (ROOT / "locales" / "fr" / "LC_MESSAGES" / "messages.po").read_bytes()
    )
    catalogs = Catalogs(tmp_path)
    assert catalogs.get("fr").gettext("Main menu") != "Main menu"
