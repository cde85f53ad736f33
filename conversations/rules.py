"""Eligibility rules and ``when`` conditions, evaluated against a person's answers.

An unanswered or skipped question never satisfies a test: a rule cannot pass on missing data.
Only rules that apply decide: a programme's facts always, a deployer's policy only when the
deployer switched it on (``policy: {enabled: true}`` in the programme file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.content_schema import Condition, Program, Rule


def holds(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Whether ``condition`` is true for these answers."""
    if condition.all is not None:
        return all(holds(c, answers) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, answers) for c in condition.any)
    if condition.not_ is not None:
        return not holds(condition.not_, answers)
    value = answers.get(condition.field or "")
    if value is None:
        return False
    if condition.in_ is not None:
        return value in condition.in_
    if condition.not_in is not None:
        return value not in condition.not_in
    if condition.min is not None or condition.max is not None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        low_ok = condition.min is None or value >= condition.min
        return low_ok and (condition.max is None or value <= condition.max)
    return bool(value == condition.equals)


@dataclass(frozen=True)
class Verdict:
    """A program's answer for one person: the rules passed and the first one failed."""

    program: Program
    passed: tuple[Rule, ...]
    failed: Rule | None

    @property
    def eligible(self) -> bool:
        """True when every rule passed."""
        return self.failed is None


def judge(program: Program, answers: Mapping[str, Any]) -> Verdict:
    """Apply a program's rules in order; the first failing rule is the one to explain.

    A deployer policy that is switched off is skipped: it neither refuses nor counts as a
    reason someone fits.
    """
    passed: list[Rule] = []
    for rule in program.eligibility:
        if not rule.applies:
            continue
        if not holds(rule.condition, answers):
            return Verdict(program, tuple(passed), rule)
        passed.append(rule)
    return Verdict(program, tuple(passed), None)
