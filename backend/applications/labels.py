"""Answers as staff read them: each question in the staff member's language, each value as its
label (choices as words, amounts in major units with the currency, dates in the staff locale).

The person may speak another language than the staff member: the labels come from the content
in the staff language, whatever language the person answered in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.content_loader import Content
from conversations.content_schema import Program, Question
from conversations.fields import display_value
from conversations.i18n import Translator


@dataclass(frozen=True)
class AnswerLabel:
    """One answer: the field id, the question and the value as words."""

    field: str
    question: str
    value: str


def _label(
    question: Question, value: Any, tr: Translator, content: Content, program: Program | None
) -> str:
    try:
        return display_value(question, value, tr, sectors=content.sectors.sectors, program=program)
    except Exception:  # any odd stored value (an older form) is shown as it is
        return "" if value is None else str(value)


def question_label(question: Question, tr: Translator) -> str:
    """The question's short summary label when it has one, else its prompt."""
    return (question.summary_label or question.prompt).get(tr.lang)


def _labels(
    questions: list[Question],
    answers: Mapping[str, Any],
    tr: Translator,
    content: Content,
    program: Program | None,
) -> list[AnswerLabel]:
    left = dict(answers or {})
    shown = [
        AnswerLabel(q.id, question_label(q, tr), _label(q, left.pop(q.id), tr, content, program))
        for q in questions
        if q.id in left
    ]
    return shown + [AnswerLabel(k, k, str(v)) for k, v in sorted(left.items())]


def answer_labels(
    content: Content, tr: Translator, *, program: str, answers: Mapping[str, Any]
) -> list[AnswerLabel]:
    """An application's answers in form order, labelled in ``tr``'s language; answers the form
    no longer asks come after, under their field id."""
    found = content.programs.get(program)
    return _labels(found.form if found else [], answers, tr, content, found)


def profile_labels(
    content: Content, tr: Translator, *, profile: Mapping[str, Any]
) -> list[AnswerLabel]:
    """A person's profile answers, labelled the same way."""
    return _labels(content.profile.questions, profile, tr, content, None)


def program_name(content: Content, tr: Translator, code: str) -> str:
    """A program's short name in ``tr``'s language (the code if unknown)."""
    found = content.programs.get(code)
    return found.short_name.get(tr.lang) if found else code
