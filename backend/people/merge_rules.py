"""How two people's answers and conversations become one, and how an undo takes that back.

Pure functions over plain dicts, so the rules can be read (and property-tested) without a
database: the newer answer wins unless staff chose, the survivor keeps their place in the
conversation, and nothing one person started is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Side = Literal["survivor", "absorbed"]
SIDES: tuple[Side, ...] = ("survivor", "absorbed")

#: The parts of a conversation state kept per programme: the survivor's own, plus the
#: absorbed person's for programmes the survivor has none of.
PER_PROGRAMME = ("drafts", "files")
#: What the conversation already knows (a phone, a name): the survivor's, then the other's.
KNOWN = "known"


def merge_profiles(
    survivor: Mapping[str, Any],
    absorbed: Mapping[str, Any],
    *,
    newer: Side,
    keep: Mapping[str, Side] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The merged profile and the conflicts: each field both answered differently.

    A conflict keeps ``keep[field]``'s answer when staff chose, else the ``newer`` person's.
    An answer only one of them gave is kept as it is.
    """
    merged = dict(survivor)
    conflicts: list[dict[str, Any]] = []
    for field, value in absorbed.items():
        if field not in merged:
            merged[field] = value
            continue
        if merged[field] == value:
            continue
        side = (keep or {}).get(field, newer)
        values = {"survivor": survivor[field], "absorbed": value}
        other: Side = "absorbed" if side == "survivor" else "survivor"
        merged[field] = values[side]
        conflicts.append(
            {"field": field, "kept": values[side], "dropped": values[other], "from": side}
        )
    conflicts.sort(key=lambda c: str(c["field"]))
    return merged, conflicts


def merge_states(survivor: Mapping[str, Any], absorbed: Mapping[str, Any]) -> dict[str, Any]:
    """The survivor's position in the conversation, with the absorbed person's drafts (and
    their files) for programmes the survivor has not started."""
    merged = dict(survivor)
    for part in PER_PROGRAMME:
        mine = dict(survivor.get(part) or {})
        for programme, value in (absorbed.get(part) or {}).items():
            mine.setdefault(programme, value)
        if mine:
            merged[part] = mine
    known = {**(absorbed.get(KNOWN) or {}), **(survivor.get(KNOWN) or {})}
    if known:
        merged[KNOWN] = known
    return merged


def undo_dict(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, Any]:
    """``current`` with every key the merge changed (``before`` -> ``after``) put back, unless
    it changed again since: a newer answer the person gave after the merge stays."""
    restored = dict(current)
    for key in set(before) | set(after):
        if before.get(key) == after.get(key) or key not in after:
            continue
        if restored.get(key) != after[key]:
            continue
        if key in before:
            restored[key] = before[key]
        else:
            restored.pop(key, None)
    return restored


def undo_state(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, Any]:
    """The survivor's state without what the merge brought in (and has not changed since)."""
    restored = dict(current)
    for part in (*PER_PROGRAMME, KNOWN):
        if part not in after and part not in before:
            continue
        value = undo_dict(current.get(part) or {}, before.get(part) or {}, after.get(part) or {})
        if value or part in before:
            restored[part] = value
        else:
            restored.pop(part, None)
    return restored
