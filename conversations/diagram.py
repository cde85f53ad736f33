"""The conversation drawn from the code and the content, so the pictures never go stale: the
engine's state table (in ``conversations/engine.py``'s docstring, checked by a test) and the
Mermaid diagrams ``massar content diagram`` prints."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from conversations.content_loader import Content
from conversations.content_schema import Condition, Question
from conversations.nodes.base import Node

#: Where a first contact leads; it is not a node, the engine starts there.
FIRST_CONTACT = (("menu", "after the welcome"), ("program", "deep link"))
#: States that are not nodes of the table, as the diagram draws them.
PSEUDO_STATES = {
    "new": "((first contact))",
    "previous": "([back to where the person was])",
    "saved": "([the node a pause interrupted])",
}
_NAME_WIDTH = 13
_TEXT_WIDTH = 82


def _targets(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{state} ({when})" if when else state for state, when in pairs)


def state_table(nodes: Mapping[str, Node]) -> str:
    """The engine's states and where each leads, as a reStructuredText table."""
    rule = f"{'=' * _NAME_WIDTH}  {'=' * _TEXT_WIDTH}"
    lines = [rule, f"{'node':<{_NAME_WIDTH}}  leads to", rule]
    rows = [("new", FIRST_CONTACT)] + [(name, node.leads_to) for name, node in nodes.items()]
    for name, pairs in rows:
        wrapped = textwrap.wrap(_targets(pairs), _TEXT_WIDTH) or [""]
        lines.append(f"{name:<{_NAME_WIDTH}}  {wrapped[0]}".rstrip())
        lines += [f"{'':<{_NAME_WIDTH}}  {more}" for more in wrapped[1:]]
    lines.append(rule)
    return "\n".join(lines) + "\n"


def conversation_chart(nodes: Mapping[str, Node]) -> list[str]:
    """One Mermaid flowchart of every state and transition of the conversation."""
    lines = ["```mermaid", "flowchart TD"]
    used = {state for node in nodes.values() for state, _ in node.leads_to} | {"new"}
    lines += [f"    {state}{shape}" for state, shape in PSEUDO_STATES.items() if state in used]
    rows = [("new", FIRST_CONTACT)] + [(name, node.leads_to) for name, node in nodes.items()]
    for name, pairs in rows:
        for state, when in pairs:
            arrow = f'-->|"{when}"|' if when else "-->"
            lines.append(f"    {name} {arrow} {state}")
    lines.append("```")
    return lines


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


def mermaid(content: Content, nodes: Mapping[str, Node] | None = None) -> str:
    """The whole conversation (when given its nodes), then one Mermaid flowchart for the
    profile and orientation, and one per program form."""
    parts: list[str] = []
    if nodes is not None:
        parts += ["### conversation", *conversation_chart(nodes), "", "### profile"]
    parts += ["```mermaid", "flowchart TD", "    consent([consent]) --> profile_start((profile))"]
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
