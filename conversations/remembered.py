"""Ask once: a name, a phone number or a sector given before is offered back, not asked again.

Which fields qualify is decided by their type and id, so program files need nothing special: a
``phone`` field with a plain id (``phone``, ``mobile``...), a ``text`` field named like the
person's own name (``full_name``, ``name``), and any ``sector`` field, which also knows the
profile's sector answer. A guardian's name or phone keeps its own id and is always asked.
"""

from __future__ import annotations

from typing import Any

from conversations.content_schema import Question

PHONE_IDS = frozenset({"phone", "phone_number", "mobile", "telephone"})
NAME_IDS = frozenset({"full_name", "name"})


def remembered_kind(question: Question) -> str | None:
    """``phone``, ``name`` or ``sector`` when an earlier answer may be offered back."""
    if question.type == "phone" and question.id in PHONE_IDS:
        return "phone"
    if question.type == "text" and question.id in NAME_IDS:
        return "name"
    if question.type == "sector":
        return "sector"
    return None


def known_answer(question: Question, known: dict[str, Any], profile: dict[str, Any]) -> Any | None:
    """The earlier answer to offer for ``question``, if there is one."""
    kind = remembered_kind(question)
    if kind is None:
        return None
    value = known.get(kind)
    if value is None and kind == "sector":
        value = profile.get("sector")
    return value


def remember(question: Question, value: Any, known: dict[str, Any]) -> None:
    """Keep ``value`` to offer it back in a later form."""
    kind = remembered_kind(question)
    if kind is not None and value is not None:
        known[kind] = value
