"""Consent before any personal question: what is kept, why, for how long, how to delete it."""

from __future__ import annotations

from conversations.matching import Candidate
from conversations.nodes.base import Node
from conversations.turn import Reply, Turn


def has_consent(turn: Turn) -> bool:
    """Whether the person agreed to the current version of the consent text."""
    return turn.conversation.consent_version == turn.content.consent.version


async def ask_consent(turn: Turn, then: str, program: str | None = None) -> None:
    """Ask for consent; ``then`` says where to go once given (``orient`` or ``apply``)."""
    await turn.goto("consent", then=then, program=program)


class ConsentNode(Node):
    """The consent text with «I agree» and «I do not agree»."""

    def choices(self, turn: Turn) -> list[Candidate]:
        keywords = turn.content.keywords
        return [
            Candidate("agree", turn.gettext("I agree"), tuple(keywords.yes)),
            Candidate("refuse", turn.gettext("I do not agree"), tuple(keywords.no)),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.text(turn.content.consent.text), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please answer «I agree» or «I do not agree»."))
            return
        turn.understood()
        if reply.choice.id == "refuse":
            turn.say(
                turn.gettext(
                    "No problem: nothing about you has been kept. You can still read about "
                    "the programs and your rights."
                )
            )
            await turn.goto("menu")
            return
        conversation = turn.conversation
        conversation.consent_version = turn.content.consent.version
        conversation.consent_at = turn.now.isoformat()
        turn.say(turn.gettext("Thank you. You can type «delete» at any time to erase your data."))
        params = conversation.params
        if params.get("then") == "apply" and params.get("program"):
            from conversations.nodes.application import start_application

            await start_application(turn, params["program"])
        else:
            from conversations.nodes.orientation import start_orientation

            await start_orientation(turn)
