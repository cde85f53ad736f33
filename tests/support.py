"""Test helpers: a controllable clock, an autopilot that answers any question validly, and a
search for personal values left in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.content_loader import Content
from conversations.content_schema import Question
from conversations.messages import Conversation
from conversations.remembered import known_answer

#: A profile that makes the person eligible, per program, as option ids and values.
ELIGIBLE_PROFILES: dict[str, dict[str, Any]] = {
    "utss-cad": {
        "age": 31,
        "gender": "woman",
        "country": "tn",
        "governorate": "beja",
        "work": "unemployed",
        "returned_from_abroad": False,
        "has_project": True,
        "sector": "livestock",
    },
    "iess": {
        "age": 24,
        "gender": "woman",
        "country": "tn",
        "governorate": "kasserine",
        "work": "unemployed",
        "returned_from_abroad": False,
        "has_project": True,
        "sector": "crafts",
    },
    "joud-nefzaoua": {
        "age": 29,
        "gender": "man",
        "country": "tn",
        "governorate": "kebili",
        "work": "informal",
        "returned_from_abroad": False,
        "disability": "yes",
        "has_project": True,
        "sector": "agriculture",
    },
    "lemma-mahdia": {
        "age": 41,
        "gender": "man",
        "country": "tn",
        "governorate": "mahdia",
        "work": "unemployed",
        "returned_from_abroad": True,
        "disability": "no",
        "has_project": False,
    },
    "essor-biosp": {
        "age": 35,
        "gender": "woman",
        "country": "mz",
        "work": "informal",
        "has_project": False,
    },
}
#: What a person types for each field type, when the field has no options.
TYPED_ANSWERS: dict[str, dict[str, str]] = {
    "text": {"default": "Atelier de couture avec 5 femmes du quartier"},
    "number": {},
    "amount": {},
    "date": {"default": "15/03/2023"},
    "phone": {"tn": "98 123 456", "mz": "84 123 4567", "td": "66 12 34 56", "gw": "955 123 456"},
}
PERSONAL_NAME = "Zeineb Ouerghemmi"


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def typed_value(question: Question, country: str) -> str:
    """A valid typed answer to a free-form question."""
    if question.type == "number":
        low = int(question.min or 1)
        high = int(question.max or low + 10)
        return str(min(max(low, 3), high))
    if question.type == "amount":
        low = int(question.min or 0)
        return str(max(low, 1000))
    if question.type == "phone":
        return TYPED_ANSWERS["phone"][country if country in TYPED_ANSWERS["phone"] else "tn"]
    if question.type == "text":
        return PERSONAL_NAME if "name" in question.id else TYPED_ANSWERS["text"]["default"]
    return TYPED_ANSWERS[question.type]["default"]


def autopilot_answer(
    content: Content, conversation: Conversation, program: str, lang: str
) -> tuple[str | None, str | None]:
    """What a person applying to ``program`` answers at the current node, as (text, option).

    Returns the text to type, or the option id to pick among the current choices.
    """
    node, params = conversation.node, conversation.params
    profile = ELIGIBLE_PROFILES[program]
    if node in ("new", "menu"):
        return None, "apply"
    if node == "apply_pick":
        return None, program
    if node == "consent":
        return None, "agree"
    if node == "profile":
        question = content.profile_question(params["q"])
        assert question is not None
        value = profile.get(question.id)
        return _answer(question, value, profile.get("country", "tn"))
    if node == "form":
        form = content.programs[params["program"]].form
        question = next(q for q in form if q.id == params["field"])
        offered = known_answer(question, conversation.known, conversation.profile)
        if offered is not None and not params.get("typing"):
            return None, "keep"
        if question.type in ("choice", "sector", "value_chain"):
            options = question.options or content.programs[params["program"]].value_chains
            option = options[-1].id if question.type != "sector" else "crafts"
            if question.id == "project_kind":
                option = "collective"
            return None, option
        if question.type == "yesno":
            return None, "yes"
        return typed_value(question, profile.get("country", "tn")), None
    if node == "summary":
        return None, "send"
    raise AssertionError(f"autopilot does not know node {node} ({params})")


def _answer(question: Question, value: Any, country: str) -> tuple[str | None, str | None]:
    if question.type == "yesno":
        return None, "yes" if value else "no"
    if question.type in ("choice", "sector"):
        return None, str(value)
    return str(value) if value is not None else typed_value(question, country), None


async def find_values(db: AsyncEngine, needles: list[str]) -> list[str]:
    """Every table and column whose text contains one of ``needles``."""
    found: list[str] = []
    async with db.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            if table == "alembic_version":
                continue
            columns = await connection.run_sync(
                lambda c, t=table: [col["name"] for col in inspect(c).get_columns(t)]
            )
            rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).all()  # noqa: S608
            for row in rows:
                for column, value in zip(columns, row, strict=True):
                    shown = str(value)
                    for needle in needles:
                        if needle and needle in shown:
                            found.append(f"{table}.{column} contains {needle!r}")
    return found
