"""Mermaid diagrams of the flows, drawn from the content so they never go stale."""

from __future__ import annotations

from conversations.content_loader import Content
from conversations.content_schema import Condition, Question


def _describe(condition: Condition) -> str:
    if condition.all is not None:
        return " and ".join(_describe(c) for c in condition.all)
    if condition.any is not None:
        return "(" + " or ".join(_describe(c) for c in condition.any) + ")"
    if condition.not_ is not None:
        return f"not ({_describe(condition.not_)})"
    if condition.in_ is not None:
        return f"{condition.field} in {', '.join(map(str, condition.in_))}"
    if condition.not_in is not None:
        return f"{condition.field} not in {', '.join(map(str, condition.not_in))}"
    if condition.min is not None or condition.max is not None:
        low = "" if condition.min is None else f"{condition.min:g} ≤ "
        high = "" if condition.max is None else f" ≤ {condition.max:g}"
        return f"{low}{condition.field}{high}"
    return f"{condition.field} = {condition.equals}"


def _chain(prefix: str, questions: list[Question], start: str, end: str) -> list[str]:
    lines: list[str] = []
    previous = start
    for question in questions:
        node = f"{prefix}_{question.id}"
        label = f"{question.id} ({question.type}{'' if question.required else ', optional'})"
        lines.append(f'    {node}["{label}"]')
        if question.when:
            lines.append(f'    {previous} -->|"{_describe(question.when)}"| {node}')
        else:
            lines.append(f"    {previous} --> {node}")
        previous = node
    lines.append(f"    {previous} --> {end}")
    return lines


def mermaid(content: Content) -> str:
    """One Mermaid flowchart for the profile and orientation, and one per program form."""
    parts = ["```mermaid", "flowchart TD", "    consent([consent]) --> profile_start((profile))"]
    parts += _chain("profile", list(content.profile.questions), "profile_start", "results")
    parts.append("    results{{orientation}}")
    for program in content.programs.values():
        rules = " and ".join(_describe(r.condition) for r in program.eligibility)
        parts.append(f'    results -->|"{rules}"| apply_{program.code.replace("-", "_")}')
    parts.append("```")
    for program in content.programs.values():
        code = program.code.replace("-", "_")
        parts += ["", f"### {program.code}", "```mermaid", "flowchart TD"]
        parts.append(f"    apply_{code}(([apply {program.code}]))")
        parts += _chain(code, list(program.form), f"apply_{code}", f"summary_{code}")
        parts.append(f"    summary_{code}{{{{summary}}}} -->|send| ref_{code}([reference])")
        parts.append(f"    summary_{code} -->|change an answer| apply_{code}")
        parts.append("```")
    return "\n".join(parts) + "\n"
