"""Handing over to a person, under the person's control.

Misunderstandings *offer* a person instead of opening a case behind the person's back. While a
case is open the bot stays out of the way (messages go to staff) but never goes silent on the
words that work at every step: ``menu`` explains who will answer and when, and lets the person
keep waiting or cancel the request and go back.
"""

from __future__ import annotations

from conversations.matching import Candidate
from conversations.messages import Incoming
from conversations.nodes.account import go_back_to, snapshot_of
from conversations.nodes.base import Node
from conversations.turn import Reply, Turn

#: Keywords that open the case menu while staff have the conversation.
CASE_MENU_KEYWORDS = frozenset({"menu", "back", "greeting", "help", "how_much"})


def away_line(turn: Turn) -> str | None:
    """When staff are away now, the sentence saying when they are back; else ``None``."""
    hours = turn.office_hours
    if hours is None:
        return None
    local = turn.now.astimezone(turn.zone)
    if hours.is_open(local):
        return None
    turn.conversation.away_notice = hours.next_opening(local).isoformat()
    return turn.gettext("Our team is away now and will be back on {when}.").format(
        when=turn.tr.weekday_time(hours.next_opening(local))
    )


def wait_line(turn: Turn) -> str:
    """How long an answer usually takes, in the person's language."""
    if turn.handoff_wait is None:
        return turn.gettext("A member of our team will answer you here.")
    return turn.gettext(
        "A member of our team will answer you here, usually within {wait}."
    ).format(wait=turn.tr.duration(turn.handoff_wait))


async def offer_human(turn: Turn) -> None:
    """After repeated misunderstandings: propose a person, the menu, or another try."""
    await turn.goto("offer_human", back=snapshot_of(turn.conversation))


async def during_case(turn: Turn, incoming: Incoming, keyword: str | None) -> None:
    """A message while staff have the conversation: to staff, or the case menu, never silence."""
    conversation = turn.conversation
    if incoming.choice_id:
        from conversations.nodes.followup import answer_reminder

        if await answer_reminder(turn, incoming.choice_id):
            return
        if conversation.node == "case":
            reply = turn.resolve(incoming, turn.node.choices(turn))
            if reply.choice is not None:
                await turn.node.receive(turn, reply)
                return
        turn.say(
            turn.gettext(
                "A member of our team has your conversation now, so that button no longer "
                "works. Write your message here, or type «menu» to see your options."
            )
        )
        return
    if keyword in CASE_MENU_KEYWORDS:
        if conversation.node == "case":
            await turn.reprompt()
        else:
            await turn.goto("case", back=snapshot_of(conversation))
        return
    if conversation.node == "case" and incoming.text:
        reply = turn.resolve(incoming, turn.node.choices(turn))
        if reply.choice is not None:
            await turn.node.receive(turn, reply)
            return
    await turn.store.add_to_case(
        text=incoming.text, attachments=[a.to_dict() for a in incoming.attachments]
    )
    if conversation.node == "case":
        _leave_quietly(turn)
    hours = turn.office_hours
    if hours is not None and not hours.is_open(turn.now.astimezone(turn.zone)):
        opening = hours.next_opening(turn.now.astimezone(turn.zone)).isoformat()
        if conversation.away_notice != opening:
            line = away_line(turn)
            turn.say(
                "\n".join(
                    [turn.gettext("Thank you: your message is with our team."), line or ""]
                ).strip()
            )


def _leave_quietly(turn: Turn) -> None:
    """Back to where the person was, without asking that question again (staff answer next)."""
    back = turn.conversation.params.get("back") or {"node": "menu", "params": {}}
    turn.conversation.node = back.get("node", "menu")
    turn.conversation.params = dict(back.get("params", {}))


class CaseNode(Node):
    """The menu while a case is open: who answers and when; keep waiting or cancel."""

    leads_to = (("previous", "keep waiting, or cancel the request"),)

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        return [
            Candidate("wait", _("Keep waiting"), tuple(turn.content.keywords.yes)),
            Candidate("cancel", _("Cancel my request")),
        ]

    async def prompt(self, turn: Turn) -> None:
        if not turn.conversation.case_open:
            await go_back_to(turn, turn.conversation.params.get("back"))
            return
        lines = [wait_line(turn)]
        away = away_line(turn)
        if away:
            lines.append(away)
        lines.append(
            turn.gettext(
                "Do you want to keep waiting, or cancel your request and go back to where you "
                "were?"
            )
        )
        turn.ask("\n".join(lines), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.reprompt()
            return
        if reply.choice.id == "wait":
            turn.say(
                turn.gettext("All right: your messages go to our team, who will answer here.")
            )
            _leave_quietly(turn)
            return
        await turn.store.cancel_case()
        turn.conversation.case_open = False
        turn.conversation.away_notice = None
        turn.say(
            turn.gettext(
                "Your request is cancelled. You can ask for a person again at any time: type "
                "«agent»."
            )
        )
        await go_back_to(turn, turn.conversation.params.get("back"))


class OfferHumanNode(Node):
    """Offered after repeated misunderstandings: the person decides whether to bring in staff."""

    leads_to = (
        ("previous", "a case opens (talk to a person), or try again"),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        return [
            Candidate("human", _("Talk to a person")),
            Candidate("retry", _("Try again")),
            Candidate("menu", _("Main menu")),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext(
                "I am having trouble understanding you. Would you like to talk to a member of "
                "our team?"
            ),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose one of the options."))
            return
        turn.understood()
        if reply.choice.id == "human":
            from conversations.nodes.menu import request_human

            back = turn.conversation.params.get("back")
            if back:
                turn.conversation.node = back.get("node", "menu")
                turn.conversation.params = dict(back.get("params", {}))
            await request_human(turn, reason="misunderstood")
        elif reply.choice.id == "retry":
            await go_back_to(turn, turn.conversation.params.get("back"))
        else:
            await turn.goto("menu")

    async def back(self, turn: Turn) -> None:
        await go_back_to(turn, turn.conversation.params.get("back"))
