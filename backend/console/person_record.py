"""A person's record as staff read it, and as the file the person can be given (right of
access): the same facts, labelled in a chosen language, within the reader's scope.

Loans and reminders come from the API's own scoped queries; applications and cases from
:mod:`backend.people.queries`, so the console and the API show the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.labels import AnswerLabel, answer_labels, profile_labels, program_name
from backend.applications.models import Application
from backend.cases.models import Case
from backend.loans.queries import loans_of
from backend.people import queries as views
from backend.people.models import Address, Beneficiary
from backend.reminders.queries import reminders_of
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.trainings.models import Attendance, Enrollment, Training
from conversations.content_loader import Content
from conversations.i18n import Translator


@dataclass
class ApplicationRecord:
    """One application with its labelled answers."""

    application: Application
    program: str
    answers: list[AnswerLabel]


@dataclass
class PersonRecord:
    """Everything one may see about a person."""

    person: Beneficiary
    summary: views.Summary
    profile: list[AnswerLabel]
    applications: list[ApplicationRecord]
    cases: list[Case]
    loans: list[dict[str, Any]]
    trainings: list[tuple[Training, Enrollment, str | None]]
    reminders: list[dict[str, Any]]
    #: Every address the person writes from, the one used last first.
    addresses: list[Address] = field(default_factory=list)
    programs: dict[str, str] = field(default_factory=dict)


async def trainings_of(
    session: AsyncSession, *, principal: Principal, beneficiary_id: int
) -> list[tuple[Training, Enrollment, str | None]]:
    """The person's enrolments in sessions of one's programs, latest session first, with the
    attendance staff marked (present, absent, excused) when they did."""
    rows = await session.execute(
        select(Training, Enrollment, Attendance.status)
        .join(Enrollment, Enrollment.training_id == Training.id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.training_id == Training.id,
                Attendance.beneficiary_id == Enrollment.beneficiary_id,
            ),
        )
        .where(Enrollment.beneficiary_id == beneficiary_id, visible(principal, Training.program))
        .order_by(Training.starts_at.desc())
    )
    return [(t, e, mark) for t, e, mark in rows]


async def person_record(
    session: AsyncSession,
    *,
    principal: Principal,
    person: Beneficiary,
    content: Content,
    tr: Translator,
) -> PersonRecord:
    """The record of a person the principal sees (check with ``sees_person`` first)."""
    summary = (await views.summaries(session, principal=principal, ids=[person.id]))[person.id]
    applications = await views.applications_of(
        session, principal=principal, beneficiary_id=person.id
    )
    record = PersonRecord(
        person=person,
        summary=summary,
        profile=profile_labels(content, tr, profile=person.profile or {}),
        applications=[
            ApplicationRecord(
                a,
                program_name(content, tr, a.program),
                answer_labels(content, tr, program=a.program, answers=a.answers or {}),
            )
            for a in applications
        ],
        cases=await views.cases_of(session, principal=principal, beneficiary_id=person.id),
        loans=await loans_of(session, principal=principal, beneficiary_id=person.id),
        trainings=await trainings_of(session, principal=principal, beneficiary_id=person.id),
        reminders=await reminders_of(session, principal=principal, beneficiary_id=person.id),
        addresses=await views.addresses_of(session, beneficiary_id=person.id),
    )
    codes = {a.program for a in applications} | {c.program for c in record.cases if c.program}
    codes |= {str(loan["program"]) for loan in record.loans}
    record.programs = {code: program_name(content, tr, code) for code in sorted(codes)}
    return record
