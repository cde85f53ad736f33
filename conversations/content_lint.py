"""Checks on how content reads on a phone and to whom it speaks.

* Errors: a paragraph longer than one message (:data:`~conversations.paging.MESSAGE_LIMIT`),
  which could only be cut mid-paragraph; a program's short name too long for a button, since
  labels that name a program fall back to it.
* Warnings: a text with one form that addresses the person in a way the language marks for
  gender (Arabic, French, Portuguese). Such a text should give ``{neutral, f, m}`` forms. The
  markers are a short list of common cues, so the warning can miss or over-report; it is a
  prompt for a translator, not a rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from conversations.content_schema import GENDERED_LANGUAGES, LANGUAGES, Program, Text
from conversations.labels import BUTTON_LIMIT, display_length
from conversations.paging import MESSAGE_LIMIT, long_paragraphs

#: Cues that a text addresses the person with a gender: inclusive writing, participles and
#: adjectives that agree with "you", and second-person verbs of Arabic.
ADDRESS_MARKERS: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"·|\(e\)|\bêtes-vous\b|\bvous êtes\b|\bseul\b|\bintéressé\b", re.I),
    "pt": re.compile(
        r"\b\w+o/a\b|\bobrigad[oa]\b|\bsozinh[oa]\b|\binteressad[oa]\b|\bvocê é\b|"
        r"\bcasad[oa]\b|\bdesempregad[oa]\b|\bdiplomad[oa]\b",
        re.I,
    ),
    "ar": re.compile(
        r"(?<!\w)(?:أنت|تعيش|عدت|اكتب|اختر|اضغط|أرسل|تريد|متأكد|مستعد|شاب|سجّل|سجل)(?!\w)"
    ),
}


def texts_in(model: Any, path: str = "") -> Iterator[tuple[str, Text]]:
    """Every :class:`Text` in a content model, with where it is (``form[2] (phone).prompt``)."""
    if isinstance(model, Text):
        yield path, model
        return
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            yield from texts_in(value, f"{path}.{name}" if path else name)
    elif isinstance(model, list | tuple):
        for index, item in enumerate(model):
            label = f"[{index}]"
            item_id = getattr(item, "id", None)
            if isinstance(item_id, str):
                label += f" ({item_id})"
            yield from texts_in(item, f"{path}{label}")


def long_paragraph_problems(file: str, model: BaseModel) -> list[str]:
    """Paragraphs that do not fit in one message."""
    problems = []
    for where, text in texts_in(model):
        for lang in LANGUAGES:
            for form in text.forms(lang):
                for length in long_paragraphs(form, MESSAGE_LIMIT):
                    problems.append(
                        f"{file}: {where} in {lang} has a paragraph of {length} characters; "
                        f"a message shows at most {MESSAGE_LIMIT}: split it with a line break"
                    )
    return problems


def short_name_problems(program: Program) -> list[str]:
    """A short name that cannot be shown whole on a button."""
    problems = []
    for lang in LANGUAGES:
        name = program.short_name.get(lang)
        if display_length(name) > BUTTON_LIMIT:
            problems.append(
                f"programs/{program.code}.yaml: short_name in {lang} has {display_length(name)} "
                f"characters; buttons show {BUTTON_LIMIT}, and a program's name must show whole"
            )
    return problems


def one_form_warnings(file: str, model: BaseModel) -> list[str]:
    """Texts with one form that seem to address the person with a gender."""
    warnings = []
    for where, text in texts_in(model):
        for lang in GENDERED_LANGUAGES:
            if text.is_gendered(lang):
                continue
            found = ADDRESS_MARKERS[lang].search(text.get(lang))
            if found:
                warnings.append(
                    f"{file}: {where} in {lang} addresses the person in one form («{found[0]}»);"
                    " give {neutral, f, m} forms"
                )
    return warnings
