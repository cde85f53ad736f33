"""Replays the golden conversations (tests/conversations/golden/*.yaml): the same inputs must
reach the same nodes, offer the same buttons and say the same names and references.

A failure here means the flow changed. If that was intended, rewrite the files with
``.venv/bin/python -m tests.conversations.golden`` and review the diff.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from conversations.content_loader import Content
from conversations.engine import Engine
from tests.conversations.chat import Chat
from tests.conversations.golden import SCRIPTS, Script, meaning, path_of


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
async def test_golden_conversation_keeps_its_meaning(
    engine: Engine, content: Content, script: Script
) -> None:
    transcript: dict[str, Any] = yaml.safe_load(path_of(script).read_text(encoding="utf-8"))
    assert transcript["program"] == script.program and transcript["language"] == script.lang
    chat = Chat(engine, script.lang)
    for number, step in enumerate(transcript["steps"]):
        if "press" in step:
            await chat.press(step["press"])
        else:
            await chat.send(step["send"])
        expected = {k: v for k, v in step.items() if k not in ("send", "press")}
        assert meaning(chat, content) == expected, (
            f"{script.name} step {number} ({step.get('send') or step.get('press')!r}) changed "
            "meaning; if intended, run: .venv/bin/python -m tests.conversations.golden"
        )
    [application] = chat.store.applications
    assert application["program"] == script.program
    assert application["language"] == script.lang
    assert transcript["steps"][-1]["node"] == "menu"
    prefix = content.programs[script.program].reference_prefix
    assert f"{prefix}-" in transcript["steps"][-1]["phrases"], "the reference was given"


def test_the_derja_golden_is_typed_not_pressed() -> None:
    derja = next(s for s in SCRIPTS if s.derja)
    steps = yaml.safe_load(path_of(derja).read_text(encoding="utf-8"))["steps"]
    assert all("send" in step for step in steps)
    typed = [step["send"] for step in steps]
    assert {"3aslema", "ey", "behi", "chnowa"} <= set(typed)
