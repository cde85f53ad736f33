"""Where staff send a conversation: the satisfaction question after a closed case, and the
answers they asked for on an application (``needs_info``)."""

from __future__ import annotations

from conversations.fields import CHOICE_TYPES, Invalid
from conversations.matching import Candidate
from conversations.nodes.account import go_back_to
from conversations.nodes.base import Node
from conversations.nodes.questions import ask_question, question_choices, read_answer
from conversations.turn import Reply, Turn

SCORES = ("1", "2", "3", "4", "5")


class SatisfactionNode(Node):
    """«How satisfied are you?» from 1 to 5, then back to where the person was."""

    leads_to = (("previous", "after the score"),)

    def choices(self, turn: Turn) -> list[Candidate]:
        return [Candidate(score, score) for score in SCORES]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext(
                "Our team has closed your conversation. How satisfied are you with the help "
                "you received? 1 = not at all, 5 = very satisfied."
            ),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose a number from 1 to 5."))
            return
        turn.understood()
        params = turn.conversation.params
        await turn.store.rate_case(case_id=int(params["case"]), score=int(reply.choice.id))
        turn.say(turn.gettext("Thank you for your answer."))
        await go_back_to(turn, params.get("back"))

    async def back(self, turn: Turn) -> None:
        await go_back_to(turn, turn.conversation.params.get("back"))


class InfoNode(Node):
    """The fields staff marked on an application, asked one by one, then sent back."""

    resumable = True
    leads_to = (
        ("info", "next field"),
        ("previous", "sent to staff"),
    )

    def _current(self, turn: Turn):  # type: ignore[no-untyped-def]
        params = turn.conversation.params
        program = turn.content.programs.get(params.get("program", ""))
        if program is None:
            return None, None
        field = next((q for q in program.form if q.id == params.get("field")), None)
        return program, field

    def _draft_key(self, turn: Turn) -> str:
        return f"info:{turn.conversation.params.get('reference', '')}"

    def numbered(self, turn: Turn) -> bool:
        _, field = self._current(turn)
        return field is None or field.type in CHOICE_TYPES

    def choices(self, turn: Turn) -> list[Candidate]:
        program, field = self._current(turn)
        return question_choices(turn, field, program) if field else []

    async def prompt(self, turn: Turn) -> None:
        program, field = self._current(turn)
        if field is None:
            await go_back_to(turn, turn.conversation.params.get("back"))
            return
        ask_question(turn, field, program)

    async def receive(self, turn: Turn, reply: Reply) -> None:
        program, field = self._current(turn)
        if program is None or field is None:
            await go_back_to(turn, turn.conversation.params.get("back"))
            return
        conversation = turn.conversation
        key = self._draft_key(turn)
        answers = conversation.drafts.setdefault(key, {})
        answer = read_answer(turn, field, reply, program, {**conversation.profile, **answers})
        if isinstance(answer, Invalid):
            await turn.not_understood(answer.message)
            return
        turn.understood()
        answers[field.id] = answer.value
        params = dict(conversation.params)
        remaining = [f for f in params["fields"] if f not in answers]
        if remaining:
            await turn.goto("info", **{**params, "field": remaining[0]})
            return
        await turn.store.complete_info(reference=params["reference"], answers=answers)
        conversation.drafts.pop(key, None)
        turn.say(
            turn.gettext("Thank you: your application {reference} goes back to the team.").format(
                reference=params["reference"]
            )
        )
        await go_back_to(turn, params.get("back"))

    def describe(self, turn: Turn) -> str:
        return turn.gettext("the information our team asked for")
