"""Asking one typed question and reading the answer, shared by the profile and the forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.content_schema import Program, Question
from conversations.fields import CHOICE_TYPES, Invalid, currency_of, options_of, parse_answer
from conversations.matching import Candidate
from conversations.rules import holds
from conversations.turn import Reply, Turn

SKIP = "skip"
#: Where an amount's prompt names its currency.
CURRENCY_PLACEHOLDER = "{currency}"


@dataclass(frozen=True)
class Answer:
    """A usable answer; ``value`` is ``None`` when an optional question was skipped."""

    value: Any


def applies(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a question is asked, given the answers so far."""
    return question.when is None or holds(question.when, answers)


def next_question(
    questions: Sequence[Question], answers: Mapping[str, Any], after: str | None = None
) -> Question | None:
    """The next question that applies, after ``after`` (or from the start)."""
    started = after is None
    for question in questions:
        if started and applies(question, answers):
            return question
        if question.id == after:
            started = True
    return None


def previous_question(
    questions: Sequence[Question], answers: Mapping[str, Any], before: str
) -> Question | None:
    """The question that applies just before ``before``, if any."""
    previous = None
    for question in questions:
        if question.id == before:
            return previous
        if applies(question, answers):
            previous = question
    return None


def first_unanswered(questions: Sequence[Question], answers: Mapping[str, Any]) -> Question | None:
    """The first question that applies and has no answer yet."""
    return next((q for q in questions if applies(q, answers) and q.id not in answers), None)


def prune(
    questions: Sequence[Question],
    answers: Mapping[str, Any],
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Only the answers to questions that still apply, so a changed answer leaves no stray data.

    ``base`` holds answers the conditions may read but that are not pruned (the profile, for a
    form).
    """
    kept: dict[str, Any] = {}
    for question in questions:
        if question.id in answers and applies(question, {**(base or {}), **kept}):
            kept[question.id] = answers[question.id]
    return kept


def question_choices(turn: Turn, question: Question, program: Program | None) -> list[Candidate]:
    """The buttons of a question: its options, yes/no, and «skip» when optional."""
    _ = turn.gettext
    keywords = turn.content.keywords
    candidates: list[Candidate]
    if question.type == "yesno":
        candidates = [
            Candidate("yes", _("Yes"), tuple(keywords.yes)),
            Candidate("no", _("No"), tuple(keywords.no)),
        ]
    else:
        options = options_of(question, list(turn.content.sectors.sectors), program)
        candidates = [
            Candidate(o.id, turn.text(o.label), (*o.label.all_forms(), *o.synonyms))
            for o in options
        ]
    if not question.required:
        candidates.append(Candidate(SKIP, _("Skip"), tuple(keywords.skip)))
    return candidates


def ask_question(turn: Turn, question: Question, program: Program | None) -> None:
    """Say the question with its help and buttons.

    An amount's prompt may name ``{currency}``: the programme's, where the person lives.
    """
    text = turn.text(question.prompt)
    if question.type == "amount" and CURRENCY_PLACEHOLDER in text:
        country = turn.conversation.profile.get("country")
        currency = currency_of(question, program, country)
        text = text.replace(CURRENCY_PLACEHOLDER, turn.tr.currency_name(currency))
    if question.help:
        text = f"{text}\n{turn.text(question.help)}"
    candidates = question_choices(turn, question, program)
    if candidates:
        turn.ask(text, candidates)
    else:
        turn.say(text)


def read_answer(
    turn: Turn,
    question: Question,
    reply: Reply,
    program: Program | None,
    answers: Mapping[str, Any],
) -> Answer | Invalid:
    """The answer in ``reply``, or why it cannot be used."""
    _ = turn.gettext
    if reply.choice is not None:
        if reply.choice.id == SKIP:
            return Answer(None)
        if question.type == "yesno":
            return Answer(reply.choice.id == "yes")
        return Answer(reply.choice.id)
    if question.type in CHOICE_TYPES:
        return Invalid(_("Please choose one of the options: tap a button or type its number."))
    if not reply.text:
        return Invalid(_("Please type your answer."))
    parsed = parse_answer(
        question,
        reply.text,
        turn.tr,
        today=turn.today,
        program=program,
        country=answers.get("country"),
    )
    if isinstance(parsed, Invalid):
        return parsed
    return Answer(parsed.value)
