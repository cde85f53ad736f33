"""Applications: pick a program, answer its form, check the summary, send, get a reference.

The draft lives in the conversation state, so an application survives a restart or a person
who leaves for three weeks.
"""

from __future__ import annotations

from typing import Any

from conversations.content_schema import Program, Question
from conversations.fields import CHOICE_TYPES, Invalid, display_value
from conversations.matching import Candidate
from conversations.messages import Incoming
from conversations.nodes.base import Node
from conversations.nodes.consent import ask_consent, has_consent
from conversations.nodes.orientation import explain_ineligible
from conversations.nodes.profile import continue_profile, profile_complete
from conversations.nodes.questions import (
    applies,
    ask_question,
    first_unanswered,
    next_question,
    previous_question,
    prune,
    question_choices,
    read_answer,
)
from conversations.people import too_young
from conversations.remembered import known_answer, remember, remembered_kind
from conversations.rules import judge
from conversations.turn import Reply, Turn

#: Statuses after which a new application to the same program makes sense.
CLOSED_STATUSES = frozenset({"rejected", "withdrawn"})
#: The form field recording a parent's or guardian's consent (consent.yaml, ``minors``).
GUARDIAN_CONSENT = "guardian_consent"


def _program(turn: Turn) -> Program | None:
    return turn.content.programs.get(turn.conversation.params.get("program", ""))


def _answers(turn: Turn, program: Program) -> dict[str, Any]:
    """Profile and draft together: form conditions may read both."""
    return {**turn.conversation.profile, **turn.conversation.drafts.get(program.code, {})}


async def start_application(turn: Turn, code: str) -> None:
    """Everything an application needs, in order: consent, profile, eligibility, the form."""
    _ = turn.gettext
    program = turn.content.programs.get(code)
    if program is None:
        await turn.goto("apply_pick")
        return
    if not has_consent(turn):
        await ask_consent(turn, then="apply", program=code)
        return
    await turn.store.track(stage="started", program=code)
    if not profile_complete(turn):
        turn.say(_("First, a few questions about your situation. You answer them only once."))
        await continue_profile(turn, then=code)
        return
    await turn.store.track(stage="profile_done", program=code)
    if too_young(turn.people, turn.conversation.profile):
        age = turn.tr.number(turn.people.min_application_age)
        turn.say(turn.content.consent.minors.too_young.get(turn.lang).format(age=age))
        await turn.goto("menu")
        return
    verdict = judge(program, turn.conversation.profile)
    if not verdict.eligible:
        turn.say(explain_ineligible(turn, verdict))
        await turn.goto("menu")
        return
    if not program.accepts_applications:
        turn.say(_("This program is not taking applications at the moment."))
        await turn.goto("menu")
        return
    await turn.store.track(stage="eligible", program=code)
    for existing in await turn.store.list_applications():
        if existing.program == code and existing.status not in CLOSED_STATUSES:
            turn.say(
                _("You have already applied to {program}: your reference is {reference}.").format(
                    program=turn.text(program.short_name), reference=existing.reference
                )
            )
            await turn.goto("menu")
            return
    draft = turn.conversation.drafts.setdefault(code, {})
    if draft:
        turn.say(_("You had started this application: we continue where you stopped."))
    else:
        turn.say(
            _("Application to {program}. Type «back» to go back one question.").format(
                program=turn.text(program.short_name)
            )
        )
    await continue_form(turn, program)


async def continue_form(turn: Turn, program: Program) -> None:
    """Ask the first unanswered field that applies, or show the summary when none is left."""
    pending = first_unanswered(program.form, _answers(turn, program))
    if pending is None:
        await turn.goto("summary", program=program.code)
    else:
        await turn.goto("form", program=program.code, field=pending.id)


def guardian_refused(answers: dict[str, Any]) -> bool:
    """A minor whose parent or guardian did not agree: the application cannot be sent."""
    return answers.get(GUARDIAN_CONSENT) is False


class ApplyPickNode(Node):
    """Which program to apply to."""

    leads_to = (
        ("consent", ""),
        ("profile", ""),
        ("form", ""),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        programs = list(turn.content.programs.values())
        if turn.conversation.profile:
            programs.sort(key=lambda p: not judge(p, turn.conversation.profile).eligible)
        return [
            *(
                Candidate(
                    p.code,
                    turn.text(p.short_name),
                    (p.code, *p.short_name.all_forms()),
                )
                for p in programs
            ),
            Candidate("menu", turn.gettext("Main menu")),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.gettext("Which program do you want to apply to?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose a program from the list."))
        elif reply.choice.id == "menu":
            await turn.goto("menu")
        else:
            turn.understood()
            await start_application(turn, reply.choice.id)


class FormNode(Node):
    """One field of a program's form.

    A name, phone or sector given before is offered back first ("Is +216 ... still your
    number?"): «yes» keeps it, «change» asks the field, and typing a new answer also works.
    """

    resumable = True
    leads_to = (
        ("form", "next field"),
        ("summary", ""),
        ("menu", ""),
    )

    def _field(self, turn: Turn, program: Program) -> Question | None:
        wanted = turn.conversation.params.get("field")
        return next((q for q in program.form if q.id == wanted), None)

    def _offer(self, turn: Turn, field: Question) -> Any | None:
        params = turn.conversation.params
        if params.get("typing") or field.id in turn.conversation.drafts.get(
            params.get("program", ""), {}
        ):
            return None
        return known_answer(field, turn.conversation.known, turn.conversation.profile)

    def _offer_choices(self, turn: Turn) -> list[Candidate]:
        keywords = turn.content.keywords
        return [
            Candidate("keep", turn.gettext("Yes"), tuple(keywords.yes)),
            Candidate("change", turn.gettext("Change"), tuple(keywords.no)),
        ]

    def choices(self, turn: Turn) -> list[Candidate]:
        program = _program(turn)
        field = self._field(turn, program) if program else None
        if not program or not field:
            return []
        if self._offer(turn, field) is not None:
            return self._offer_choices(turn)
        return question_choices(turn, field, program)

    def numbered(self, turn: Turn) -> bool:
        program = _program(turn)
        field = self._field(turn, program) if program else None
        if field is not None and self._offer(turn, field) is not None:
            return True
        return field is None or field.type in CHOICE_TYPES

    async def prompt(self, turn: Turn) -> None:
        program = _program(turn)
        field = self._field(turn, program) if program else None
        if program is None or field is None:
            await turn.goto("menu")
            return
        offer = self._offer(turn, field)
        if offer is None:
            ask_question(turn, field, program)
            return
        shown = display_value(
            field, offer, turn.tr, sectors=list(turn.content.sectors.sectors), program=program
        )
        questions = {
            "phone": turn.gettext("Is {value} still your number?"),
            "name": turn.gettext("Is your name still {value}?"),
            "sector": turn.gettext("Is your project still in this sector: {value}?"),
        }
        turn.ask(
            questions[remembered_kind(field) or "name"].format(value=shown),
            self._offer_choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        program = _program(turn)
        field = self._field(turn, program) if program else None
        if program is None or field is None:
            await turn.goto("menu")
            return
        offer = self._offer(turn, field)
        if offer is not None:
            if reply.choice is not None and reply.choice.id == "keep":
                turn.understood()
                await self._answered(turn, program, field, offer)
                return
            turn.conversation.params = {**turn.conversation.params, "typing": True}
            if reply.choice is not None:
                turn.understood()
                await turn.reprompt()
                return
            reply = turn.resolve(
                Incoming(text=reply.text),
                question_choices(turn, field, program),
                numbered=field.type in CHOICE_TYPES,
            )
        answer = read_answer(turn, field, reply, program, _answers(turn, program))
        if isinstance(answer, Invalid):
            await turn.not_understood(answer.message)
            return
        turn.understood()
        await self._answered(turn, program, field, answer.value)

    async def _answered(self, turn: Turn, program: Program, field: Question, value: Any) -> None:
        remember(field, value, turn.conversation.known)
        draft = {**turn.conversation.drafts.get(program.code, {}), field.id: value}
        draft = prune(program.form, draft, base=turn.conversation.profile)
        turn.conversation.drafts[program.code] = draft
        if guardian_refused(draft):
            turn.say(turn.content.consent.minors.guardian_refused.get(turn.lang))
            await turn.goto("menu")
            return
        merged = {**turn.conversation.profile, **draft}
        if turn.conversation.params.get("editing"):
            await continue_form(turn, program)
            return
        following = next_question(program.form, merged, after=field.id)
        if following is None or following.id in draft:
            await continue_form(turn, program)
        else:
            await turn.goto("form", program=program.code, field=following.id)

    async def back(self, turn: Turn) -> None:
        program = _program(turn)
        if program is None:
            await turn.goto("menu")
            return
        before = previous_question(
            program.form, _answers(turn, program), turn.conversation.params.get("field", "")
        )
        if before is None:
            await turn.goto("menu")
        else:
            await turn.goto("form", program=program.code, field=before.id)

    def describe(self, turn: Turn) -> str:
        program = _program(turn)
        name = turn.text(program.short_name) if program else ""
        return turn.gettext("your application to {program}").format(program=name)


class SummaryNode(Node):
    """Everything the person answered, to check before sending."""

    resumable = True
    leads_to = (
        ("menu", "sent, with reference"),
        ("edit_pick", ""),
        ("menu", "finish later"),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        return [
            Candidate("send", _("Send"), tuple(turn.content.keywords.yes)),
            Candidate("edit", _("Change an answer")),
            Candidate("later", _("Finish later")),
        ]

    async def prompt(self, turn: Turn) -> None:
        _ = turn.gettext
        program = _program(turn)
        if program is None:
            await turn.goto("menu")
            return
        answers = _answers(turn, program)
        lines = [_("Your application to {program}:").format(program=turn.text(program.short_name))]
        sectors = list(turn.content.sectors.sectors)
        for field in program.form:
            if applies(field, answers) and field.id in answers:
                value = display_value(
                    field,
                    answers[field.id],
                    turn.tr,
                    sectors=sectors,
                    program=program,
                    country=answers.get("country"),
                )
                lines.append(f"• {field_label(turn, field)}: {value}")
        lines.append("")
        lines.append(_("Is everything correct?"))
        turn.ask("\n".join(lines), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        _ = turn.gettext
        program = _program(turn)
        if program is None:
            await turn.goto("menu")
            return
        if reply.choice is None:
            await turn.not_understood(
                _("Please choose «Send», «Change an answer» or «Finish later».")
            )
            return
        turn.understood()
        if reply.choice.id == "edit":
            await turn.goto("edit_pick", program=program.code)
        elif reply.choice.id == "later":
            turn.say(_("Your answers are saved. Come back whenever you like to finish."))
            await turn.goto("menu")
        else:
            await submit(turn, program)

    async def back(self, turn: Turn) -> None:
        await turn.goto("edit_pick", program=turn.conversation.params.get("program", ""))

    def describe(self, turn: Turn) -> str:
        return FormNode().describe(turn)


def field_label(turn: Turn, field: Question) -> str:
    """A field's short name for the summary."""
    label = field.summary_label or field.prompt
    return turn.text(label)


async def submit(turn: Turn, program: Program) -> None:
    """Send the application, unless a required answer is missing, and give the reference."""
    answers = _answers(turn, program)
    if first_unanswered(program.form, answers) is not None:
        await continue_form(turn, program)
        return
    if guardian_refused(answers) or too_young(turn.people, turn.conversation.profile):
        turn.say(turn.content.consent.minors.guardian_refused.get(turn.lang))
        await turn.goto("menu")
        return
    draft = turn.conversation.drafts.get(program.code, {})
    kept = prune(program.form, draft, base=turn.conversation.profile)
    reference = await turn.store.submit_application(
        program=program.code,
        reference_prefix=program.reference_prefix,
        answers=kept,
        language=turn.lang,
        attachments=turn.conversation.files.pop(program.code, []),
    )
    turn.conversation.drafts.pop(program.code, None)
    await turn.store.track(stage="submitted", program=program.code)
    turn.say(
        turn.gettext(
            "Your application has been sent. Your reference is {reference}: keep it to follow "
            "your application under «My applications»."
        ).format(reference=reference)
    )
    await turn.goto("menu")


class EditPickNode(Node):
    """Which answer to change."""

    leads_to = (
        ("form", "editing one field"),
        ("summary", ""),
        ("menu", ""),
    )

    def _fields(self, turn: Turn, program: Program) -> list[Question]:
        answers = _answers(turn, program)
        return [f for f in program.form if applies(f, answers)]

    def choices(self, turn: Turn) -> list[Candidate]:
        program = _program(turn)
        if program is None:
            return []
        fields = [Candidate(f.id, field_label(turn, f)) for f in self._fields(turn, program)]
        return [*fields, Candidate("summary", turn.gettext("Back to the summary"))]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.gettext("Which answer do you want to change?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        program = _program(turn)
        if program is None:
            await turn.goto("menu")
            return
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose an answer from the list."))
        elif reply.choice.id == "summary":
            await turn.goto("summary", program=program.code)
        else:
            turn.understood()
            await turn.goto("form", program=program.code, field=reply.choice.id, editing=True)

    async def back(self, turn: Turn) -> None:
        await turn.goto("summary", program=turn.conversation.params.get("program", ""))
