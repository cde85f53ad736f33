"""Decisions on applications: the status changes, the history records it, and the person is
told in their language. With ``needs_info`` the bot asks for exactly the fields staff marked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, ApplicationEvent
from backend.cases.service import locked_person
from backend.conversations.outbox import queue_for
from backend.conversations.state import load_conversation, save_conversation
from backend.conversations.store import DatabaseStore
from backend.reminders.policy import policy_of
from backend.stats.funnel import record_step
from backend.surveys.service import plan_surveys
from conversations.engine import Engine
from conversations.i18n import Translator
from conversations.messages import Outgoing

DECISIONS = ("accepted", "rejected", "waitlisted", "needs_info")


class DecisionError(ValueError):
    """A decision that cannot be applied: an unknown status or form field."""


def decision_text(tr: Translator, *, status: str, reference: str, program: str) -> str:
    """What the person reads about the decision."""
    _ = tr.gettext
    texts = {
        "accepted": _(
            "Good news: your application {reference} to {program} has been accepted. "
            "Our team will contact you about the next steps."
        ),
        "rejected": _(
            "Your application {reference} to {program} has not been accepted. "
            "Type «agent» if you want to talk about it."
        ),
        "waitlisted": _(
            "Your application {reference} to {program} is on the waiting list. "
            "We will write to you as soon as a place opens."
        ),
        "needs_info": _(
            "Our team needs a little more information about your application "
            "{reference} to {program}."
        ),
    }
    return texts[status].format(reference=reference, program=program)


async def decide(
    session: AsyncSession,
    *,
    engine: Engine,
    application: Application,
    status: str,
    note: str | None,
    fields: list[str],
    staff_id: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Apply a decision and queue the message that tells the person."""
    if status not in DECISIONS:
        raise DecisionError(f"status must be one of {', '.join(DECISIONS)}")
    program = engine.content.programs.get(application.program)
    form_ids = [q.id for q in program.form] if program else []
    if status == "needs_info":
        unknown = [f for f in fields if f not in form_ids]
        if not fields or unknown:
            raise DecisionError(
                f"needs_info needs the fields to ask, among: {', '.join(form_ids)}"
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            )
    application.status = status
    application.updated_at = now
    session.add(
        ApplicationEvent(
            application_id=application.id,
            status=status,
            note=note,
            fields=fields if status == "needs_info" else [],
            staff_id=staff_id,
            at=now,
        )
    )
    if status == "accepted":
        await record_step(
            session,
            beneficiary_id=application.beneficiary_id,
            program=application.program,
            stage="accepted",
            now=now,
        )
        # Follow-up surveys 3 and 6 months on (MASSAR_SURVEY_MONTHS).
        await plan_surveys(
            session, application=application, policy=policy_of(session, zone), now=now
        )
    person = await locked_person(session, application.beneficiary_id)
    if person is None:
        return
    tr = engine.catalogs.get(person.language)
    name = program.short_name.get(person.language) if program else application.program
    text = decision_text(tr, status=status, reference=application.reference, program=name)
    if note:
        text += "\n\n" + tr.gettext("Message from our team: {note}").format(note=note)
    messages = [
        Outgoing(text=text, language=person.language, direction=tr.direction, kind="decision")
    ]
    if status == "needs_info":
        conversation = load_conversation(person)
        store = DatabaseStore(session=session, beneficiary=person, now=now, zone=zone)
        messages += await engine.move(
            conversation,
            node="info",
            params={
                "reference": application.reference,
                "program": application.program,
                "fields": fields,
                "field": fields[0],
            },
            store=store,
            now=now,
        )
        save_conversation(person, conversation)
    await queue_for(session, beneficiary=person, messages=messages, now=now)
