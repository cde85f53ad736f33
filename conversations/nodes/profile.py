"""The shared profile questions, asked once and skipped where they do not apply."""

from __future__ import annotations

from conversations.content_schema import Question
from conversations.fields import CHOICE_TYPES, Invalid
from conversations.matching import Candidate
from conversations.nodes.base import Node
from conversations.nodes.questions import (
    ask_question,
    first_unanswered,
    next_question,
    previous_question,
    prune,
    question_choices,
    read_answer,
)
from conversations.turn import Reply, Turn


def profile_complete(turn: Turn) -> bool:
    """Whether every applicable profile question has an answer."""
    profile = turn.conversation.profile
    return bool(profile) and first_unanswered(turn.content.profile.questions, profile) is None


async def continue_profile(turn: Turn, then: str | None) -> None:
    """Ask the first unanswered question; ``then`` is a program to apply to afterwards."""
    question = first_unanswered(turn.content.profile.questions, turn.conversation.profile)
    if question is None:
        await finish_profile(turn, then)
        return
    await turn.goto("profile", q=question.id, then=then)


async def finish_profile(turn: Turn, then: str | None) -> None:
    """After the last question: the application that was asked for, or the orientation."""
    if then:
        from conversations.nodes.application import start_application

        await start_application(turn, then)
    else:
        await turn.goto("results")


class ProfileNode(Node):
    """One profile question."""

    resumable = True
    leads_to = (
        ("profile", "next question"),
        ("results", ""),
        ("form", "when applying"),
        ("menu", ""),
    )

    def _question(self, turn: Turn) -> Question | None:
        return turn.content.profile_question(turn.conversation.params.get("q", ""))

    def choices(self, turn: Turn) -> list[Candidate]:
        question = self._question(turn)
        return question_choices(turn, question, None) if question else []

    def numbered(self, turn: Turn) -> bool:
        question = self._question(turn)
        return question is None or question.type in CHOICE_TYPES

    async def prompt(self, turn: Turn) -> None:
        question = self._question(turn)
        if question is None:
            await continue_profile(turn, turn.conversation.params.get("then"))
            return
        ask_question(turn, question, None)

    async def receive(self, turn: Turn, reply: Reply) -> None:
        question = self._question(turn)
        if question is None:
            await turn.reprompt()
            return
        profile = turn.conversation.profile
        answer = read_answer(turn, question, reply, None, profile)
        if isinstance(answer, Invalid):
            await turn.not_understood(answer.message)
            return
        turn.understood()
        questions = turn.content.profile.questions
        turn.conversation.profile = prune(questions, {**profile, question.id: answer.value})
        following = next_question(questions, turn.conversation.profile, after=question.id)
        then = turn.conversation.params.get("then")
        if following is None:
            await finish_profile(turn, then)
        else:
            await turn.goto("profile", q=following.id, then=then)

    async def back(self, turn: Turn) -> None:
        question = self._question(turn)
        before = previous_question(
            turn.content.profile.questions,
            turn.conversation.profile,
            question.id if question else "",
        )
        if before is None:
            await turn.goto("menu")
        else:
            await turn.goto("profile", q=before.id, then=turn.conversation.params.get("then"))

    def describe(self, turn: Turn) -> str:
        return turn.gettext("the questions about your situation")
