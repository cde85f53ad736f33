"""What the inbox and the case page show, read with the services' own scope rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.cases.models import Case, CaseMessage
from backend.people.models import Beneficiary
from backend.staff.models import Staff
from backend.staff.scope import visible
from backend.staff.service import Principal

INBOX_LIMIT = 200
PREVIEW = 120


@dataclass(frozen=True)
class InboxRow:
    """One open case as a line of the inbox."""

    case_id: int
    name: str | None
    person_id: int | None
    program: str | None
    channel: str | None
    language: str | None
    waiting_since: datetime | None
    last_text: str | None
    last_from: str | None
    assignee: str | None
    assignee_id: int | None
    opened_at: datetime


async def typed_names(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    """The full name each person typed in their latest application, when they gave one."""
    if not person_ids:
        return {}
    typed = Application.answers["full_name"].as_string()
    rows = await session.execute(
        select(Application.beneficiary_id, typed)
        .where(Application.beneficiary_id.in_(person_ids), Application.erased_at.is_(None))
        .order_by(Application.submitted_at, Application.id)
    )
    names: dict[int, str] = {}
    for person_id, name in rows:
        if person_id is not None and isinstance(name, str) and name.strip():
            names[person_id] = name.strip()
    return names


def display_name(typed: str | None, person: Beneficiary | None) -> str | None:
    """The name the person typed, else the one their channel gives."""
    if typed:
        return typed
    return person.channel_name if person is not None else None


async def inbox(
    session: AsyncSession,
    *,
    principal: Principal,
    show: str,
    program: str | None,
    channel: str | None,
) -> list[InboxRow]:
    """Open cases the principal may see, longest waiting first; ``show`` is ``mine``,
    ``unassigned`` or ``all``."""
    open_ids = select(Case.id).where(Case.status == "open", visible(principal, Case.program))
    last_id = (
        select(CaseMessage.case_id, func.max(CaseMessage.id).label("last_id"))
        .where(CaseMessage.case_id.in_(open_ids))
        .group_by(CaseMessage.case_id)
        .subquery()
    )
    query = (
        select(Case, Beneficiary, CaseMessage, Staff)
        .outerjoin(Beneficiary, Beneficiary.id == Case.beneficiary_id)
        .outerjoin(last_id, last_id.c.case_id == Case.id)
        .outerjoin(CaseMessage, CaseMessage.id == last_id.c.last_id)
        .outerjoin(Staff, Staff.id == Case.assigned_to)
        .where(Case.status == "open", visible(principal, Case.program))
    )
    if show == "mine":
        query = query.where(Case.assigned_to == principal.id)
    elif show == "unassigned":
        query = query.where(Case.assigned_to.is_(None))
    if program:
        query = query.where(Case.program == program)
    if channel:
        query = query.where(Beneficiary.channel == channel)
    found = (
        await session.execute(query.order_by(Case.opened_at, Case.id).limit(INBOX_LIMIT))
    ).all()
    names = await typed_names(session, [p.id for _, p, _, _ in found if p is not None])
    rows = []
    for case, person, last, staff in found:
        waiting = None
        if last is None:
            waiting = case.opened_at
        elif last.direction == "in":
            waiting = last.created_at
        rows.append(
            InboxRow(
                case_id=case.id,
                name=display_name(names.get(person.id) if person else None, person),
                person_id=person.id if person else None,
                program=case.program,
                channel=person.channel if person else None,
                language=person.language if person else None,
                waiting_since=waiting,
                last_text=(last.text or "")[:PREVIEW] if last is not None else None,
                last_from=("person" if last.direction == "in" else "staff") if last else None,
                assignee=staff.name if staff is not None else None,
                assignee_id=case.assigned_to,
                opened_at=case.opened_at,
            )
        )
    rows.sort(key=lambda row: (row.waiting_since is None, row.waiting_since or row.opened_at))
    return rows
