"""What every node of the conversation provides."""

from __future__ import annotations

from abc import ABC, abstractmethod

from conversations.matching import Candidate
from conversations.turn import Reply, Turn


class Node(ABC):
    """A state of the conversation: a question, its choices, and what each answer does."""

    #: True when leaving the conversation here and coming back later deserves a "continue?".
    resumable = False
    #: Where this node leads, as (state, when) pairs. ``previous`` is where the person was
    #: before a detour, ``saved`` the node a pause interrupted, ``new`` a first contact. The
    #: engine's state table and ``massar content diagram`` are generated from these.
    leads_to: tuple[tuple[str, str], ...] = ()

    def choices(self, turn: Turn) -> list[Candidate]:
        """The buttons offered at this node, also matched against typed text."""
        return []

    @abstractmethod
    async def prompt(self, turn: Turn) -> None:
        """Say what this node asks."""

    @abstractmethod
    async def receive(self, turn: Turn, reply: Reply) -> None:
        """Act on the person's answer."""

    def numbered(self, turn: Turn) -> bool:
        """Whether a typed number picks a choice here (not where a number is the answer)."""
        return True

    async def back(self, turn: Turn) -> None:
        """What «back» does here: the main menu unless a node knows better."""
        await turn.goto("menu")

    def describe(self, turn: Turn) -> str:
        """A few words on what the person was doing here, for the "welcome back" message."""
        return ""
