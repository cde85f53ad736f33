"""What staff read about applications: scoped, filtered lists, answers and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, ApplicationEvent
from backend.db.json_text import json_text
from backend.people.models import Beneficiary
from backend.staff.scope import visible
from backend.staff.service import Principal
from conversations.content_loader import Content


def governorate() -> ColumnElement[str]:
    """The person's governorate answer, as SQL: the expression ``ix_beneficiaries_governorate``
    indexes, so the filter reads the index instead of every profile."""
    return json_text(Beneficiary.profile, "governorate")


@dataclass(frozen=True)
class Filters:
    """The list's filters; dates are whole days in the deployment's time zone, inclusive."""

    program: str | None = None
    status: str | None = None
    governorate: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None


#: Dates outside these are clamped, so no conversion overflows at the ends of the calendar.
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 1, 1)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(min(max(day, EARLIEST), LATEST), time.min, tzinfo=zone)


def conditions(
    principal: Principal, filters: Filters, zone: ZoneInfo
) -> list[ColumnElement[bool]]:
    """The scope and the filters as WHERE terms; the governorate one needs the person joined."""
    terms: list[ColumnElement[bool]] = [visible(principal, Application.program)]
    if filters.program is not None:
        terms.append(Application.program == filters.program)
    if filters.status is not None:
        terms.append(Application.status == filters.status)
    if filters.governorate is not None:  # people first: a semi-join, no join per application
        people = select(Beneficiary.id).where(governorate() == filters.governorate)
        terms.append(Application.beneficiary_id.in_(people))
    if filters.submitted_from is not None:
        terms.append(Application.submitted_at >= _day_start(filters.submitted_from, zone))
    if filters.submitted_to is not None:
        end = _day_start(min(filters.submitted_to, LATEST) + timedelta(days=1), zone)
        terms.append(Application.submitted_at < end)
    return terms


def filtered(principal: Principal, filters: Filters, zone: ZoneInfo) -> Select[Application, str]:
    """Applications the principal may see, with the person's governorate, filtered."""
    query: Select[Application, str] = (
        select(Application, governorate().label("governorate"))
        .outerjoin(Beneficiary, Beneficiary.id == Application.beneficiary_id)
        .where(*conditions(principal, filters, zone))
    )
    return query


def counted(principal: Principal, filters: Filters, zone: ZoneInfo, *columns: Any) -> Select[Any]:
    """``SELECT columns..., count(*)`` over the filtered applications, without joining the
    people (a count then reads the applications' indexes alone)."""
    query = select(*columns, func.count()).select_from(Application)
    return query.where(*conditions(principal, filters, zone))


async def list_applications(
    session: AsyncSession,
    *,
    principal: Principal,
    filters: Filters,
    zone: ZoneInfo,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Application, str | None]], int]:
    """One page of applications, newest first, with their governorate, and the total."""
    query = filtered(principal, filters, zone)
    total = await session.scalar(counted(principal, filters, zone))
    rows = await session.execute(
        query.order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in rows], int(total or 0)


async def governorate_of(session: AsyncSession, *, beneficiary_id: int | None) -> str | None:
    """The person's governorate answer, if any."""
    if beneficiary_id is None:
        return None
    value = await session.scalar(select(governorate()).where(Beneficiary.id == beneficiary_id))
    return str(value) if value is not None else None


async def history(session: AsyncSession, *, application_id: int) -> list[ApplicationEvent]:
    """The application's events, oldest first."""
    rows = await session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.at, ApplicationEvent.id)
    )
    return list(rows)


def answers_in_form_order(content: Content, application: Application) -> list[dict[str, Any]]:
    """The answers as the form asks them, with each question in English; others after."""
    program = content.programs.get(application.program)
    form = program.form if program else []
    answers = dict(application.answers or {})
    shown = [
        {"field": q.id, "question": q.prompt.get("en"), "value": answers.pop(q.id)}
        for q in form
        if q.id in answers
    ]
    return shown + [{"field": k, "question": k, "value": v} for k, v in sorted(answers.items())]


async def accepted_programs(session: AsyncSession, *, beneficiary_id: int) -> list[str]:
    """The programs that accepted the person, the latest decision first."""
    rows = await session.scalars(
        select(Application.program)
        .where(Application.beneficiary_id == beneficiary_id, Application.status == "accepted")
        .order_by(Application.updated_at.desc())
    )
    return list(rows)
