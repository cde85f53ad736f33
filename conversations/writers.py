"""«Who is writing?»: the question a number several people share asks, and its answers.

Pure, like the rest of the engine: the backend knows who writes from an address and when to
ask; this module words the question (one button per person, by first name, else "Person 2",
and «Someone else») and reads the answer, forgivingly: the button, its number, the name typed
with a typo, or words for "someone else". Nobody's answers are shown here, only first names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from conversations.i18n import Translator
from conversations.matching import Candidate, match_choice, normalize
from conversations.messages import Choice, Incoming, Outgoing

#: Every button of the question starts with this, so it is known whatever the person's node.
PREFIX = "who."
#: The «Someone else» button: a new person on the address.
NEW = "new"
#: Longest name shown on a button; longer ones are cut at a word.
NAME_LIMIT = 20


@dataclass(frozen=True)
class Writer:
    """One person on the address: their address row's id and the first name the bot knows."""

    key: int
    name: str | None


def first_name(full_name: object) -> str | None:
    """The first word of a remembered name, or ``None`` when there is none."""
    if not isinstance(full_name, str):
        return None
    words = full_name.split()
    return words[0][:NAME_LIMIT] if words else None


def candidates(
    tr: Translator, writers: Sequence[Writer], someone_else: Sequence[str]
) -> list[Candidate]:
    """One choice per person, in the order given, then «Someone else».

    Two people with the same first name are told apart by their number.
    """
    names = [w.name for w in writers]
    found: list[Candidate] = []
    for number, writer in enumerate(writers, start=1):
        label = writer.name or tr.gettext("Person {number}").format(number=number)
        if writer.name and names.count(writer.name) > 1:
            label = f"{writer.name} ({number})"
        found.append(Candidate(str(writer.key), label))
    found.append(Candidate(NEW, tr.gettext("Someone else"), tuple(someone_else)))
    return found


def question(
    tr: Translator, writers: Sequence[Writer], someone_else: Sequence[str], *, unread: bool
) -> Outgoing:
    """The question, with its buttons. ``unread``: a message came that is not answered yet,
    so the person is asked to send it again after choosing."""
    if unread:
        text = tr.gettext(
            "Several people write from this number. Who is writing now? Then send your "
            "message again."
        )
    else:
        text = tr.gettext("Who is writing now?")
    choices = tuple(
        Choice(f"{PREFIX}{c.id}", c.label) for c in candidates(tr, writers, someone_else)
    )
    return Outgoing(text=text, language=tr.lang, direction=tr.direction, choices=choices)


Answer = int | Literal["new"] | None


def answer(
    incoming: Incoming,
    tr: Translator,
    writers: Sequence[Writer],
    someone_else: Sequence[str],
    *,
    typed: bool,
) -> Answer:
    """The address row chosen, ``"new"`` for «Someone else», or ``None``.

    A button of this question always counts (it names a person of this address); what is
    typed counts only when the question was just asked (``typed``), so a "1" meant for a menu
    never picks a person. «Someone else» creates a person: its button counts only then too,
    so a second tap on an old button makes no second person.
    """
    keys = {str(w.key): w.key for w in writers}
    if incoming.choice_id:
        if not incoming.choice_id.startswith(PREFIX):
            return None
        chosen = incoming.choice_id.removeprefix(PREFIX)
        if chosen == NEW:
            return "new" if typed else None
        return keys.get(chosen)
    if not typed or not incoming.text:
        return None
    match = match_choice(incoming.text, candidates(tr, writers, someone_else))
    if match is None:
        return None
    return "new" if match.id == NEW else keys[match.id]


def says_not_me(text: str, beginnings: Sequence[str], own_name: str | None) -> bool:
    """Whether ``text`` is "I am not <own name>" in one of its forms ("mouch ena Salma" is
    a ``someone_else`` word already; this is "je ne suis pas Amira", "ena mouch Amira")."""
    name = normalize(own_name or "")
    if not name:
        return False
    key = normalize(text)
    return any(key == f"{normalize(b)} {name}" for b in beginnings if normalize(b))
