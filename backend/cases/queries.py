"""What staff read about cases: scoped lists, and a case's person and recent transcript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import Case, CaseMessage
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.models import Beneficiary
from backend.staff.scope import visible
from backend.staff.service import Principal

#: How far back the transcript reaches before the case opened, and how many lines it keeps.
TRANSCRIPT_WINDOW = timedelta(hours=24)
TRANSCRIPT_LINES = 50


@dataclass(frozen=True)
class Line:
    """One line of the transcript."""

    direction: str
    text: str
    at: datetime


async def list_cases(
    session: AsyncSession,
    *,
    principal: Principal,
    status: str | None,
    program: str | None,
    assigned_to: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Case], int]:
    """Cases the principal may see, oldest open first, and how many there are in all."""
    query = select(Case).where(visible(principal, Case.program))
    if status is not None:
        query = query.where(Case.status == status)
    if program is not None:
        query = query.where(Case.program == program)
    if assigned_to is not None:
        query = query.where(Case.assigned_to == assigned_to)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Case.opened_at, Case.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def case_messages(session: AsyncSession, *, case_id: int) -> list[CaseMessage]:
    """The case's messages, in order."""
    rows = await session.scalars(
        select(CaseMessage)
        .where(CaseMessage.case_id == case_id)
        .order_by(CaseMessage.created_at, CaseMessage.id)
    )
    return list(rows)


async def transcript(session: AsyncSession, *, case: Case) -> list[Line]:
    """What the person wrote (kept only with their consent) and what the bot answered, in the
    24 hours before the case opened."""
    if case.beneficiary_id is None:
        return []
    since = case.opened_at - TRANSCRIPT_WINDOW
    inbound = await session.execute(
        select(InboundMessage.text, InboundMessage.received_at).where(
            InboundMessage.beneficiary_id == case.beneficiary_id,
            InboundMessage.received_at >= since,
            InboundMessage.received_at <= case.opened_at,
            InboundMessage.text.is_not(None),
        )
    )
    outbound = await session.execute(
        select(OutboxMessage.payload, OutboxMessage.created_at).where(
            OutboxMessage.beneficiary_id == case.beneficiary_id,
            OutboxMessage.created_at >= since,
            OutboxMessage.created_at <= case.opened_at,
        )
    )
    lines = [Line("in", text, at) for text, at in inbound if text]
    lines += [
        Line("out", str(payload["text"]), at)
        for payload, at in outbound
        if isinstance(payload, dict) and payload.get("text")
    ]
    lines.sort(key=lambda line: (line.at, line.direction == "out"))
    return lines[-TRANSCRIPT_LINES:]


async def person(session: AsyncSession, *, beneficiary_id: int | None) -> Beneficiary | None:
    """The case's person, when not erased."""
    if beneficiary_id is None:
        return None
    return await session.get(Beneficiary, beneficiary_id)
