"""A case as its page shows it: the whole conversation with bot, person and staff lines told
apart, the internal notes, and, on WhatsApp, whether a reply goes as itself or as a template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import queries as case_views
from backend.cases.models import Case
from backend.channels.whatsapp.window import window_open
from backend.console.models import CaseNote
from backend.conversations.models import OutboxMessage
from backend.media.views import attachment_views
from backend.people.models import Beneficiary
from backend.staff.models import Staff


@dataclass(frozen=True)
class Entry:
    """One line of the conversation: ``who`` is ``bot``, ``person``, ``staff`` or ``note``."""

    who: str
    text: str
    at: datetime
    author: str | None = None
    attachments: list[Any] = field(default_factory=list)


async def _staff_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(sorted(ids))))
    return {staff_id: name for staff_id, name in rows}


async def _bot_since_opened(session: AsyncSession, case: Case) -> list[Entry]:
    """What the bot said once the case was open (the hand-off notice, the closing question)."""
    if case.beneficiary_id is None:
        return []
    rows = await session.execute(
        select(OutboxMessage.payload, OutboxMessage.created_at).where(
            OutboxMessage.beneficiary_id == case.beneficiary_id,
            OutboxMessage.created_at > case.opened_at,
        )
    )
    return [
        Entry("bot", str(payload["text"]), at)
        for payload, at in rows
        if isinstance(payload, dict)
        and payload.get("text")
        and payload.get("kind") != "staff_reply"
        and (case.closed_at is None or at <= case.closed_at)
    ]


async def conversation(session: AsyncSession, *, case: Case) -> list[Entry]:
    """Everything, oldest first: the day before the case opened, then the case itself."""
    entries = [
        Entry("person" if line.direction == "in" else "bot", line.text, line.at)
        for line in await case_views.transcript(session, case=case)
    ]
    messages = await case_views.case_messages(session, case_id=case.id)
    notes = list(
        await session.scalars(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
        )
    )
    names = await _staff_names(
        session,
        {m.staff_id for m in messages if m.staff_id} | {n.staff_id for n in notes if n.staff_id},
    )
    for message in messages:
        who = "person" if message.direction == "in" else "staff"
        author = names.get(message.staff_id) if message.staff_id else None
        files = await attachment_views(
            session, beneficiary_id=case.beneficiary_id, items=message.attachments or []
        )
        entries.append(Entry(who, message.text or "", message.created_at, author, list(files)))
    entries += [
        Entry("note", note.text, note.created_at, names.get(note.staff_id or 0)) for note in notes
    ]
    entries += await _bot_since_opened(session, case)
    order = {"person": 0, "bot": 1, "staff": 2, "note": 3}
    entries.sort(key=lambda entry: (entry.at, order[entry.who]))
    return entries


@dataclass(frozen=True)
class Window:
    """WhatsApp's 24-hour window as the reply box explains it."""

    applies: bool
    open: bool
    last_inbound_at: datetime | None


def whatsapp_window(person: Beneficiary | None, now: datetime) -> Window:
    """Whether a reply now goes as a free-form message; only WhatsApp has the window."""
    if person is None or person.channel != "whatsapp":
        return Window(applies=False, open=True, last_inbound_at=None)
    return Window(
        applies=True,
        open=window_open(person.last_inbound_at, now),
        last_inbound_at=person.last_inbound_at,
    )
