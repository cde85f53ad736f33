"""Handed-off conversations, staff side: assign, reply, close.

Replies are queued in the person's outbox, so they reach them on their own channel with the
same retries as any message. Closing gives the conversation back to the bot, which asks how
satisfied the person was and then resumes where they were.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import Case, CaseMessage
from backend.cases.signature import signed
from backend.conversations.outbox import queue_for
from backend.conversations.state import load_conversation, save_conversation
from backend.conversations.store import DatabaseStore
from backend.people.models import Beneficiary
from conversations.engine import Engine
from conversations.i18n import RTL_LANGUAGES
from conversations.messages import Outgoing


class CaseClosedError(Exception):
    """The case is closed, or its person erased their data: nobody to answer."""


async def locked_person(session: AsyncSession, beneficiary_id: int | None) -> Beneficiary | None:
    """The case's person, locked against a message of theirs arriving at the same moment
    (as the inbound path locks them: ``FOR NO KEY UPDATE``, which leaves the rows that refer
    to them, a reminder or a reply being queued or recorded, free to be written)."""
    if beneficiary_id is None:
        return None
    return await session.scalar(
        select(Beneficiary).where(Beneficiary.id == beneficiary_id).with_for_update(key_share=True)
    )


async def assign_case(session: AsyncSession, *, case: Case, staff_id: int, now: datetime) -> None:
    """Give the case to a member of staff."""
    if case.status != "open":
        raise CaseClosedError
    case.assigned_to = staff_id
    case.assigned_at = now


async def release_case(session: AsyncSession, *, case: Case) -> None:
    """Give the case back to the team: nobody has it."""
    if case.status != "open":
        raise CaseClosedError
    case.assigned_to = None
    case.assigned_at = None


async def reply_to_case(
    session: AsyncSession,
    *,
    case: Case,
    staff_id: int,
    text: str,
    signature: str,
    now: datetime,
) -> CaseMessage:
    """Send a member of staff's message to the person, signed (see
    :mod:`backend.cases.signature`), and keep it in the case as written."""
    person = await locked_person(session, case.beneficiary_id)
    if case.status != "open" or person is None:
        raise CaseClosedError
    direction = "rtl" if person.language in RTL_LANGUAGES else "ltr"
    outgoing = Outgoing(
        text=signed(signature, text),
        language=person.language,
        direction=direction,
        kind="staff_reply",
    )
    await queue_for(session, beneficiary=person, messages=[outgoing], now=now)
    message = CaseMessage(
        case_id=case.id, direction="out", staff_id=staff_id, text=text, created_at=now
    )
    session.add(message)
    if case.first_response_at is None:
        case.first_response_at = now
    if case.assigned_to is None:
        case.assigned_to, case.assigned_at = staff_id, now
    await session.flush()
    return message


async def close_case(
    session: AsyncSession, *, engine: Engine, case: Case, now: datetime, zone: ZoneInfo
) -> None:
    """Close the case; the bot takes over again with the satisfaction question."""
    if case.status != "open":
        raise CaseClosedError
    case.status = "closed"
    case.closed_at = now
    person = await locked_person(session, case.beneficiary_id)
    if person is None:
        return
    conversation = load_conversation(person)
    store = DatabaseStore(session=session, beneficiary=person, now=now, zone=zone)
    replies = await engine.move(
        conversation, node="satisfaction", params={"case": case.id}, store=store, now=now
    )
    save_conversation(person, conversation)
    await queue_for(session, beneficiary=person, messages=replies, now=now)
