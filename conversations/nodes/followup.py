"""After enrolment: training sessions to register for, answers to reminders, and the
follow-up survey."""

from __future__ import annotations

from typing import Any

from conversations.content_schema import Program, Question
from conversations.fields import CHOICE_TYPES, Invalid, currency_of
from conversations.matching import Candidate
from conversations.nodes.account import go_back_to
from conversations.nodes.base import Node
from conversations.nodes.questions import ask_question, question_choices, read_answer
from conversations.ports import TrainingView
from conversations.turn import Reply, Turn

#: Prefix of the buttons carried by reminders: ``rem.<reminder id>.<answer>``.
REMINDER_BUTTON = "rem"
REMINDER_ANSWERS = frozenset({"paid", "coming", "not_coming"})


def training_line(turn: Turn, training: TrainingView) -> str:
    """A session in one line: title, day and time, place."""
    local = training.starts_at.astimezone(turn.zone)
    return turn.gettext("{title}: {date} at {time}, {place}").format(
        title=training.title,
        date=turn.tr.date(local.date()),
        time=local.strftime("%H:%M"),
        place=training.location,
    )


class TrainingsNode(Node):
    """Upcoming sessions of the person's programs, to register for one."""

    leads_to = (
        ("trainings", "registered, or another session"),
        ("menu", ""),
    )

    async def _open(self, turn: Turn) -> list[TrainingView]:
        return [t for t in await turn.store.upcoming_trainings() if not t.enrolled]

    def choices(self, turn: Turn) -> list[Candidate]:
        sessions = turn.conversation.params.get("offered", [])
        return [
            *(Candidate(f"t{item['id']}", item["label"]) for item in sessions),
            Candidate("menu", turn.gettext("Main menu")),
        ]

    async def prompt(self, turn: Turn) -> None:
        _ = turn.gettext
        trainings = await turn.store.upcoming_trainings()
        enrolled = [t for t in trainings if t.enrolled]
        offered = [t for t in trainings if not t.enrolled and t.seats_left != 0]
        if enrolled:
            turn.say(
                "\n".join(
                    [
                        _("You are registered for:"),
                        *(f"• {training_line(turn, t)}" for t in enrolled),
                    ]
                )
            )
        if not offered:
            turn.say(_("There is no other session you can register for at the moment."))
            await turn.goto("menu")
            return
        turn.conversation.params["offered"] = [
            {"id": t.id, "label": t.title[:40]} for t in offered[:9]
        ]
        lines = [_("Upcoming sessions:"), *(f"• {training_line(turn, t)}" for t in offered[:9])]
        turn.ask(
            "\n".join([*lines, "", _("Which one do you want to register for?")]),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        _ = turn.gettext
        if reply.choice is None:
            await turn.not_understood(_("Please choose a session from the list."))
            return
        turn.understood()
        if reply.choice.id == "menu":
            await turn.goto("menu")
            return
        registered = await turn.store.register_training(training_id=int(reply.choice.id[1:]))
        if registered is None:
            turn.say(_("Sorry, this session is full or no longer open."))
            await turn.goto("trainings")
            return
        turn.say(
            _("You are registered: {session}. We will remind you the day before.").format(
                session=training_line(turn, registered)
            )
        )
        await turn.goto("menu")


async def answer_reminder(turn: Turn, choice_id: str) -> bool:
    """Handle a reminder's button (``rem.<id>.<answer>``) at any step; ``False`` if it is not
    one."""
    prefix, _, rest = choice_id.partition(".")
    reminder, _, answer = rest.partition(".")
    if prefix != REMINDER_BUTTON or not reminder.isdigit() or answer not in REMINDER_ANSWERS:
        return False
    recorded = await turn.store.answer_reminder(reminder_id=int(reminder), answer=answer)
    if recorded:
        turn.say(turn.gettext("Thank you, our team has your answer."))
    else:
        turn.say(turn.gettext("This reminder is no longer current."))
    return True


class SurveyNode(Node):
    """The follow-up survey, one question at a time."""

    resumable = True
    leads_to = (
        ("survey", "next question"),
        ("previous", "done"),
    )

    def _question(self, turn: Turn) -> Question | None:
        wanted = turn.conversation.params.get("q")
        questions = turn.content.survey.questions
        return next((q for q in questions if q.id == wanted), None)

    def _answers(self, turn: Turn) -> dict[str, Any]:
        key = f"survey:{turn.conversation.params.get('survey')}"
        return turn.conversation.drafts.setdefault(key, {})

    def numbered(self, turn: Turn) -> bool:
        question = self._question(turn)
        return question is None or question.type in CHOICE_TYPES

    def choices(self, turn: Turn) -> list[Candidate]:
        question = self._question(turn)
        return question_choices(turn, question, self._program(turn)) if question else []

    def _program(self, turn: Turn) -> Program | None:
        """The programme the survey follows up, for its currency."""
        return turn.content.programs.get(str(turn.conversation.params.get("program", "")))

    async def prompt(self, turn: Turn) -> None:
        question = self._question(turn)
        if question is None:
            first = turn.content.survey.questions[0]
            turn.say(turn.text(turn.content.survey.intro))
            turn.conversation.params["q"] = first.id
            ask_question(turn, first, self._program(turn))
            return
        ask_question(turn, question, self._program(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        question = self._question(turn)
        if question is None:
            await turn.reprompt()
            return
        answer = read_answer(turn, question, reply, self._program(turn), turn.conversation.profile)
        if isinstance(answer, Invalid):
            await turn.not_understood(answer.message)
            return
        turn.understood()
        answers = self._answers(turn)
        answers[question.id] = answer.value
        if question.type == "amount" and answer.value is not None:
            country = turn.conversation.profile.get("country")
            answers["currency"] = currency_of(question, self._program(turn), country)
        questions = turn.content.survey.questions
        remaining = [q for q in questions if q.id not in answers]
        params = dict(turn.conversation.params)
        if remaining:
            await turn.goto("survey", **{**params, "q": remaining[0].id})
            return
        survey_id = int(params["survey"])
        await turn.store.save_survey(survey_id=survey_id, answers=dict(answers))
        turn.conversation.drafts.pop(f"survey:{survey_id}", None)
        turn.say(turn.gettext("Thank you for your answers: they help us improve the program."))
        await go_back_to(turn, params.get("back"))

    def describe(self, turn: Turn) -> str:
        return turn.gettext("a short follow-up survey")
