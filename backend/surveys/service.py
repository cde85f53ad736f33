"""Follow-up surveys: planned when an application is accepted (3 and 6 months later by
default), started by a tick through the engine's ``survey`` node, and summed up per program.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.models import Application
from backend.cases.open import has_open_case
from backend.cases.service import locked_person
from backend.conversations.outbox import queue_for
from backend.conversations.state import load_conversation, save_conversation
from backend.conversations.store import DatabaseStore
from backend.db.claim import claim_due
from backend.loans.schedule import add_months
from backend.people.models import Beneficiary
from backend.reminders.policy import ReminderPolicy
from backend.surveys.models import Survey
from conversations.engine import Engine

logger = logging.getLogger(__name__)
#: A person who wrote this recently is busy with the bot: the survey waits a little.
BUSY = timedelta(minutes=15)


async def plan_surveys(
    session: AsyncSession, *, application: Application, policy: ReminderPolicy, now: datetime
) -> int:
    """A survey per configured month after acceptance; accepting again adds none."""
    if application.beneficiary_id is None:
        return 0
    existing = set(
        await session.scalars(select(Survey.round).where(Survey.application_id == application.id))
    )
    accepted_on = policy.today(now)
    rows = [
        Survey(
            program=application.program,
            beneficiary_id=application.beneficiary_id,
            application_id=application.id,
            round=number,
            months=months,
            due_at=policy.effective(policy.local_moment(add_months(accepted_on, months))),
            status="pending",
            created_at=now,
        )
        for number, months in enumerate(policy.survey_months, start=1)
        if number not in existing
    ]
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def run_surveys(
    sessions: async_sessionmaker[AsyncSession],
    *,
    engine: Engine,
    policy: ReminderPolicy,
    now: datetime,
    max_batches: int = 100,
) -> int:
    """Start every due survey; returns how many were started."""
    started = 0
    for _ in range(max_batches):
        claimed, sent = await _survey_batch(sessions, engine=engine, policy=policy, now=now)
        started += sent
        if claimed < policy.batch_size:
            break
    if started:
        logger.info("survey tick: %s surveys started", started)
    return started


async def _survey_batch(
    sessions: async_sessionmaker[AsyncSession],
    *,
    engine: Engine,
    policy: ReminderPolicy,
    now: datetime,
) -> tuple[int, int]:
    sent = 0
    async with sessions() as session, session.begin():
        due = and_(Survey.status == "pending", Survey.due_at <= now)
        rows = await claim_due(
            session, Survey, due=due, order_by=Survey.due_at, limit=policy.batch_size
        )
        # People are locked in id order, so two processes never wait on each other in a circle.
        for survey in sorted(rows, key=lambda row: row.beneficiary_id or 0):
            survey.claim_token = None
            person = await locked_person(session, survey.beneficiary_id)
            if person is None or person.reminders_opt_out or person.unreachable:
                survey.status = "cancelled"
                survey.reason = "erased" if person is None else "opted_out_or_unreachable"
            elif not await _still_accepted(session, survey.application_id):
                survey.status, survey.reason = "cancelled", "not_accepted"
            elif now > survey.due_at + policy.grace_for("survey"):
                survey.status, survey.reason = "skipped", "past_grace"
            elif policy.quiet.is_quiet(now, policy.zone):
                survey.due_at = policy.effective(now)
            elif await has_open_case(session, person.id) or (
                person.last_inbound_at is not None and now - person.last_inbound_at < BUSY
            ):
                survey.due_at = policy.effective(now + timedelta(hours=1))
            else:
                await _start(session, survey, person, engine=engine, policy=policy, now=now)
                sent += 1
    return len(rows), sent


async def _start(
    session: AsyncSession,
    survey: Survey,
    person: Beneficiary,
    *,
    engine: Engine,
    policy: ReminderPolicy,
    now: datetime,
) -> None:
    """Move the person's conversation to the survey and queue its first question."""
    conversation = load_conversation(person)
    store = DatabaseStore(session=session, beneficiary=person, now=now, zone=policy.zone)
    replies = await engine.move(
        conversation,
        node="survey",
        params={"survey": survey.id, "program": survey.program},
        store=store,
        now=now,
    )
    save_conversation(person, conversation)
    # A survey is scheduled, like a reminder: WhatsApp sends it as a template.
    messages = [replace(m, kind="reminder") for m in replies]
    await queue_for(session, beneficiary=person, messages=messages, now=now)
    survey.status, survey.sent_at = "sent", now


async def _still_accepted(session: AsyncSession, application_id: int | None) -> bool:
    """A decision changed since (rejected after all) cancels the follow-up."""
    status = await session.scalar(
        select(Application.status).where(Application.id == application_id)
    )
    return status == "accepted"


@dataclass(frozen=True)
class Indicators:
    """A program's follow-up figures, from the answered surveys."""

    program: str
    surveys_sent: int
    responses: int
    jobs_created: int
    monthly_revenue_median_minor: int | None
    trainings_attended: int
    satisfaction_average: float | None
    #: The currency of that median; ``None`` with it when answers came in several currencies.
    monthly_revenue_currency: str | None = None
    #: The median per currency (ESSOR answers in XAF, MZN or XOF by country).
    monthly_revenue_median_by_currency: dict[str, int] = field(default_factory=dict)


async def indicators(
    session: AsyncSession, *, programs: list[str] | None = None
) -> list[Indicators]:
    """Per program: surveys sent, responses, jobs created, median revenue, trainings,
    average satisfaction (1-5)."""
    query = select(Survey.program, Survey.status, Survey.answers).where(
        Survey.status.in_(("sent", "answered"))
    )
    if programs is not None:
        query = query.where(Survey.program.in_(programs))
    grouped: dict[str, list[tuple[str, dict[str, Any] | None]]] = {}
    for row in await session.execute(query):
        grouped.setdefault(row.program, []).append((row.status, row.answers))
    return [summarise(program, rows) for program, rows in sorted(grouped.items())]


def summarise(program: str, rows: list[tuple[str, dict[str, Any] | None]]) -> Indicators:
    answers = [a for status, a in rows if status == "answered" and a]
    by_currency: dict[str, list[int]] = {}
    for a in answers:
        if _is_int(a.get("monthly_revenue")):
            # Answers from before the survey recorded a currency were asked in dinars.
            currency = str(a.get("currency") or "TND")
            by_currency.setdefault(currency, []).append(int(a["monthly_revenue"]))
    medians = {c: int(statistics.median(v)) for c, v in sorted(by_currency.items())}
    single = next(iter(medians.items())) if len(medians) == 1 else (None, None)
    scores = [score for a in answers if (score := _score(a.get("satisfaction"))) is not None]
    return Indicators(
        program=program,
        surveys_sent=len(rows),
        responses=len(answers),
        jobs_created=_total(answers, "jobs_created"),
        monthly_revenue_median_minor=single[1],
        monthly_revenue_currency=single[0],
        monthly_revenue_median_by_currency=medians,
        trainings_attended=_total(answers, "trainings_attended"),
        satisfaction_average=round(statistics.fmean(scores), 2) if scores else None,
    )


def _score(value: object) -> int | None:
    """A 1-5 satisfaction, given as ``4``, ``"4"`` or the option id ``"s4"``."""
    text = str(value).strip().lower().removeprefix("s") if value is not None else ""
    return int(text) if text in ("1", "2", "3", "4", "5") else None


def _total(answers: list[dict[str, Any]], key: str) -> int:
    return sum(int(a[key]) for a in answers if _is_int(a.get(key)))


def _is_int(value: object) -> bool:
    """Whether an answer is a whole number (the engine gives ints; satisfaction is "1".."5")."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()
