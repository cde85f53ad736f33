"""What staff read about people: a scoped search and a person's record.

Staff of a program see the people who applied to it or wrote to its team; admins see everyone.
A search matches the name and phone answers of applications and their references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.cases.models import Case
from backend.db.dialect import is_postgres
from backend.db.json_text import json_text
from backend.people.models import Address, Beneficiary
from backend.staff.scope import visible
from backend.staff.service import Principal

#: Fewest digits a query needs to be searched as a phone number.
PHONE_DIGITS = 4


@dataclass
class Summary:
    """A person as a search shows them, from their latest application one may see."""

    full_name: str | None = None
    phone: str | None = None
    references: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)


def _scoped_people(principal: Principal) -> Select[Any]:
    """Ids of people with an application or a case the principal may see."""
    return select(
        union(
            select(Application.beneficiary_id).where(visible(principal, Application.program)),
            select(Case.beneficiary_id).where(visible(principal, Case.program)),
        ).subquery()
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, q: str) -> ColumnElement[bool]:
    """``column`` contains ``q``, ignoring case: ``lower() LIKE`` (what SQLAlchemy's ``ilike``
    is on SQLite), twice as fast as ``ILIKE`` on PostgreSQL."""
    return func.lower(column).like(_like(q.lower()), escape="\\")


def _matches(q: str, *, raw_prefilter: bool = False) -> ColumnElement[bool]:
    """Reference, typed name or phone contains ``q``.

    On PostgreSQL each of the three expressions has a trigram index (migration 0011), which
    serves ``LIKE '%q%'`` once ``q`` has three characters. With ``raw_prefilter`` (SQLite,
    whose JSON is text), a plain LIKE (case-insensitive for ASCII there) on the whole stored
    JSON runs first: several times cheaper than extracting the field from every row, and exact
    enough for printable ASCII without quotes (other text may be stored escaped, so it skips
    the prefilter). SQLite's ``lower()`` and ``LIKE`` both fold ASCII only, so there the
    reference is matched without ``lower()``, with the same result at a third of the cost.
    """
    name = _contains(json_text(Application.answers, "full_name"), q)
    if raw_prefilter and q.isascii() and q.isprintable() and '"' not in q and "\\" not in q:
        name = and_(cast(Application.answers, Text).like(_like(q), escape="\\"), name)
    reference: ColumnElement[bool]
    if raw_prefilter:
        reference = Application.reference.like(_like(q.lower()), escape="\\")
    else:
        reference = _contains(Application.reference, q)
    conditions = [reference, name]
    digits = re.sub(r"\D", "", q)
    if len(digits) >= PHONE_DIGITS:
        phone: ColumnElement[bool] = json_text(Application.answers, "phone").like(f"%{digits}%")
        if raw_prefilter:
            phone = and_(cast(Application.answers, Text).like(f"%{digits}%"), phone)
        conditions.append(phone)
    return or_(*conditions)


async def search(
    session: AsyncSession, *, principal: Principal, q: str | None, limit: int, offset: int
) -> tuple[list[Beneficiary], int]:
    """People matching ``q`` (everyone one may see without it), newest first, and the total.

    With ``q``, the matching applications are already limited to one's programs, so their
    people are in scope: the ids are found in one pass, then one page of people is read.
    """
    if q and q.strip():
        found = await session.scalars(
            select(Application.beneficiary_id)
            .where(
                visible(principal, Application.program),
                Application.beneficiary_id.is_not(None),
                _matches(q.strip(), raw_prefilter=not is_postgres(session)),
            )
            .distinct()
        )
        ids = sorted({int(i) for i in found if i is not None}, reverse=True)
        page = ids[offset : offset + limit]
        rows = await session.scalars(
            select(Beneficiary).where(Beneficiary.id.in_(page)).order_by(Beneficiary.id.desc())
        )
        return list(rows), len(ids)
    query = select(Beneficiary)
    if not principal.is_admin:
        query = query.where(Beneficiary.id.in_(_scoped_people(principal)))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Beneficiary.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def sees_person(session: AsyncSession, *, principal: Principal, beneficiary_id: int) -> bool:
    """Whether the person exists and the principal may see them at all."""
    if principal.is_admin:
        found = await session.scalar(
            select(Beneficiary.id).where(Beneficiary.id == beneficiary_id)
        )
        return found is not None
    mine = union(
        select(Application.id).where(
            Application.beneficiary_id == beneficiary_id, visible(principal, Application.program)
        ),
        select(Case.id).where(
            Case.beneficiary_id == beneficiary_id, visible(principal, Case.program)
        ),
    )
    return bool(await session.scalar(select(func.count()).select_from(mine.subquery())))


async def summaries(
    session: AsyncSession, *, principal: Principal, ids: list[int]
) -> dict[int, Summary]:
    """Name, phone, references and programs per person, from the applications one may see."""
    result: dict[int, Summary] = {i: Summary() for i in ids}
    rows = await session.execute(
        select(
            Application.beneficiary_id,
            Application.reference,
            Application.program,
            Application.answers,
        )
        .where(Application.beneficiary_id.in_(ids), visible(principal, Application.program))
        .order_by(Application.submitted_at, Application.id)
    )
    for beneficiary_id, reference, program, answers in rows:
        summary = result[beneficiary_id]
        summary.references.append(reference)
        if program not in summary.programs:
            summary.programs.append(program)
        answers = answers or {}
        summary.full_name = str(answers.get("full_name") or summary.full_name or "") or None
        summary.phone = str(answers.get("phone") or summary.phone or "") or None
    return result


async def applications_of(
    session: AsyncSession, *, principal: Principal, beneficiary_id: int
) -> list[Application]:
    """The person's applications one may see, newest first."""
    rows = await session.scalars(
        select(Application)
        .where(
            Application.beneficiary_id == beneficiary_id,
            visible(principal, Application.program),
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    return list(rows)


async def cases_of(
    session: AsyncSession, *, principal: Principal, beneficiary_id: int
) -> list[Case]:
    """The person's cases one may see, newest first."""
    rows = await session.scalars(
        select(Case)
        .where(Case.beneficiary_id == beneficiary_id, visible(principal, Case.program))
        .order_by(Case.opened_at.desc(), Case.id.desc())
    )
    return list(rows)


async def addresses_of(session: AsyncSession, *, beneficiary_id: int) -> list[Address]:
    """Every address a person writes from, the one they used last first."""
    rows = await session.scalars(
        select(Address)
        .where(Address.beneficiary_id == beneficiary_id)
        .order_by(Address.last_inbound_at.desc().nulls_last(), Address.id)
    )
    return list(rows)


async def channels_of(session: AsyncSession, ids: list[int]) -> dict[int, list[str]]:
    """The channels each person writes on, for a list of people."""
    found: dict[int, list[str]] = {i: [] for i in ids}
    rows = await session.execute(
        select(Address.beneficiary_id, Address.channel)
        .where(Address.beneficiary_id.in_(ids))
        .distinct()
        .order_by(Address.beneficiary_id, Address.channel)
    )
    for person_id, channel in rows:
        found[person_id].append(channel)
    return found
