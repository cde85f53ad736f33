"""The engine's state table and the conversation diagram are generated from the nodes."""

from __future__ import annotations

import ast
import inspect

from typer.testing import CliRunner

import conversations.engine
from backend.cli import app
from conversations.diagram import PSEUDO_STATES, state_table
from conversations.engine import build_nodes


def _literal_gotos(cls: type) -> set[str]:
    """The states a node class sends the person to with ``turn.goto("...")``."""
    module = ast.parse(inspect.getsource(inspect.getmodule(cls)))  # type: ignore[arg-type]
    found: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "goto"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                ):
                    found.add(call.args[0].value)
    return found


def test_the_engine_docstring_shows_the_generated_state_table() -> None:
    table = state_table(build_nodes())
    assert table in (conversations.engine.__doc__ or ""), (
        "conversations/engine.py's state table is stale; paste the output of "
        "`massar content diagram --state-table` into its docstring:\n" + table
    )


def test_every_node_of_the_table_has_a_row() -> None:
    rows = {
        line.split()[0] for line in state_table(build_nodes()).splitlines()[3:-1] if line[0] != " "
    }
    assert rows == set(build_nodes()) | {"new"}


def test_a_node_declares_every_state_it_goes_to() -> None:
    nodes = build_nodes()
    undeclared = {
        name: sorted(_literal_gotos(type(node)) - {state for state, _ in node.leads_to})
        for name, node in nodes.items()
    }
    assert {name: missing for name, missing in undeclared.items() if missing} == {}


def test_transitions_lead_to_known_states() -> None:
    nodes = build_nodes()
    known = set(nodes) | set(PSEUDO_STATES)
    unknown = [
        f"{name} -> {state}"
        for name, node in nodes.items()
        for state, _ in node.leads_to
        if state not in known
    ]
    assert unknown == []


def test_the_diagram_draws_the_whole_conversation() -> None:
    result = CliRunner().invoke(app, ["content", "diagram"])
    assert result.exit_code == 0, result.output
    lines = set(result.output.splitlines())
    missing = [
        f"{name} -> {state}"
        for name, node in build_nodes().items()
        for state, when in node.leads_to
        if (f'    {name} -->|"{when}"| {state}' if when else f"    {name} --> {state}")
        not in lines
    ]
    assert missing == []
    assert '    survey -->|"next question"| survey' in lines


def test_the_state_table_option_prints_the_table() -> None:
    result = CliRunner().invoke(app, ["content", "diagram", "--state-table"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == state_table(build_nodes()).strip()
