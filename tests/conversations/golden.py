"""Golden conversations: one whole application per program and language, kept as transcript
files and replayed by ``test_golden.py``, which fails on any change of meaning.

Each step of a file is what the person did (``send`` a text or ``press`` a button) and what the
bot must do in return, stated as meaning rather than wording: the node reached (and the
question's id), the ids of the buttons offered, and key phrases (program names, references,
phone numbers) that must appear. Rewording a text changes nothing; changing the flow fails.

When the flow changes on purpose (a new form field, a new eligibility rule), rewrite the files
and review the diff::

    .venv/bin/python -m tests.conversations.golden
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conversations.content_loader import Content, load_content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.messages import Outgoing
from tests.conversations.chat import Chat
from tests.support import autopilot_answer

FOLDER = Path(__file__).resolve().parent / "golden"
LOCALES = Path(__file__).resolve().parent.parent.parent / "locales"
#: Derja a person from Kebili types instead of pressing buttons.
DERJA_FOR: dict[str, str] = {"yes": "ey", "no": "le", "agree": "behi", "send": "mriguel"}
#: Derja asides, answered without losing the place: a greeting goes to the menu, help and
#: "how much" explain and ask the same question again.
DERJA_ASIDES: dict[int, str] = {3: "chnowa", 6: "9addech"}
GREETINGS: dict[str, str] = {"fr": "bonjour", "en": "hello", "ar": "مرحبا", "pt": "olá"}
_REFERENCE = re.compile(r"\b[A-Z]{2,6}-\d{4}-\d{5}\b")
_PHONE = re.compile(r"\+\d{3}(?: \d{2,3}){2,3}")


@dataclass(frozen=True)
class Script:
    """Who applies to what, in which language, and how they type."""

    name: str
    program: str
    lang: str
    derja: bool = False


SCRIPTS: tuple[Script, ...] = (
    Script("iess-fr", "iess", "fr"),
    Script("lemma-mahdia-ar", "lemma-mahdia", "ar"),
    Script("essor-biosp-pt", "essor-biosp", "pt"),
    Script("utss-cad-en", "utss-cad", "en"),
    Script("joud-nefzaoua-ar-derja", "joud-nefzaoua", "ar", derja=True),
)


def make_engine(content: Content | None = None, catalogs: Catalogs | None = None) -> Engine:
    """The engine the goldens are recorded and replayed with."""
    return Engine(
        content=content or load_content(),
        catalogs=catalogs or Catalogs(LOCALES),
        raise_errors=True,
    )


def meaning(chat: Chat, content: Content) -> dict[str, Any]:
    """What the bot's last replies mean: where the person is, what they can press, and the
    names, references and numbers it said."""
    params = chat.conversation.params
    found: dict[str, Any] = {"node": chat.conversation.node}
    question = params.get("field") or params.get("q")
    if question:
        found["question"] = question
    found["buttons"] = [c.id.partition(".")[2] for r in chat.replies for c in r.choices]
    found["phrases"] = key_phrases(chat.replies, content, chat.lang)
    return found


def key_phrases(replies: list[Outgoing], content: Content, lang: str) -> list[str]:
    """Program names, references and phone numbers in the replies, in order of appearance."""
    text = "\n".join(r.text for r in replies)
    names = {p.short_name.get(lang) for p in content.programs.values()}
    phrases = [n for n in sorted(names) if n and n in text]
    phrases += [m.split("-")[0] + "-" for m in _REFERENCE.findall(text)]
    phrases += _PHONE.findall(text)
    return sorted(set(phrases))


async def record(script: Script, engine: Engine) -> dict[str, Any]:
    """Play ``script`` with the autopilot and write down every step and its meaning."""
    chat = Chat(engine, script.lang)
    steps: list[dict[str, Any]] = []
    asides = dict(DERJA_ASIDES)
    first = "3aslema" if script.derja else GREETINGS[script.lang]
    await chat.send(first)
    steps.append({"send": first, **meaning(chat, engine.content)})
    for number in range(80):
        if chat.store.applications:
            break
        if script.derja and number in asides and chat.conversation.node == "profile":
            aside = asides.pop(number)
            await chat.send(aside)
            steps.append({"send": aside, **meaning(chat, engine.content)})
            continue
        text, option = autopilot_answer(
            engine.content, chat.conversation, script.program, script.lang
        )
        if option is None:
            assert text is not None
            await chat.send(text)
            steps.append({"send": text, **meaning(chat, engine.content)})
        elif script.derja:
            typed = DERJA_FOR.get(option) or chat._label(option)
            await chat.send(typed)
            steps.append({"send": typed, **meaning(chat, engine.content)})
        else:
            await chat.press(option)
            steps.append({"press": option, **meaning(chat, engine.content)})
    assert chat.store.applications, f"{script.name}: no application"
    return {
        "program": script.program,
        "language": script.lang,
        "derja": script.derja,
        "steps": steps,
    }


def path_of(script: Script) -> Path:
    """Where a script's transcript is kept."""
    return FOLDER / f"{script.name}.yaml"


def write_all() -> list[Path]:
    """Record every script again and rewrite its file."""
    engine = make_engine()
    FOLDER.mkdir(exist_ok=True)
    written = []
    for script in SCRIPTS:
        transcript = asyncio.run(record(script, engine))
        path = path_of(script)
        header = (
            f"# Golden conversation: {script.program} in {script.lang}"
            f"{' with derja input' if script.derja else ''}.\n"
            "# Rewrite with: .venv/bin/python -m tests.conversations.golden (then review)\n"
        )
        path.write_text(
            header + yaml.safe_dump(transcript, allow_unicode=True, sort_keys=False, width=99),
            encoding="utf-8",
        )
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        sys.stdout.write(f"wrote {written_path}\n")
