"""Erasure: remove a person's personal data from every table, keep anonymous counts.

The person goes with every address they write from (on a number a family shares, only their
own address row: the others on it stay), every consent, linking code and merge record (which
holds a snapshot of the person merged in). What stays: applications' program, status and dates
(for counts), cases' status and dates, and inbound message keys (so a redelivered message is
still recognised), all unlinked.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, ApplicationEvent
from backend.cases.models import Case, CaseMessage
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.db.base import utcnow
from backend.media.files import MEDIA_DIR_KEY, delete_person_media
from backend.media.models import MediaFile
from backend.people.models import Address, Beneficiary, Consent, LinkCode, PersonMerge


async def erase_beneficiary(
    session: AsyncSession, *, beneficiary_id: int, data_dir: Path | None = None
) -> None:
    """Erase one person, in the caller's transaction, and the files they sent.

    The data folder is ``data_dir``, else the one the runtime put in the session's info.
    """
    now = utcnow()
    folder = data_dir or session.info.get(MEDIA_DIR_KEY)
    await session.execute(delete(MediaFile).where(MediaFile.beneficiary_id == beneficiary_id))
    if folder is not None:
        delete_person_media(Path(folder), beneficiary_id)
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.beneficiary_id == beneficiary_id)
        .values(text=None, attachments=None, beneficiary_id=None)
    )
    await session.execute(
        delete(OutboxMessage).where(OutboxMessage.beneficiary_id == beneficiary_id)
    )
    cases = select(Case.id).where(Case.beneficiary_id == beneficiary_id).scalar_subquery()
    await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(cases)))
    applications = (
        select(Application.id)
        .where(Application.beneficiary_id == beneficiary_id)
        .scalar_subquery()
    )
    await session.execute(
        update(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(applications))
        .values(note=None)
    )
    await session.execute(
        update(Case)
        .where(Case.beneficiary_id == beneficiary_id, Case.status == "open")
        .values(status="closed", closed_at=now)
    )
    await session.execute(
        update(Case)
        .where(Case.beneficiary_id == beneficiary_id)
        .values(beneficiary_id=None, attachments=[])
    )
    await session.execute(
        update(Application)
        .where(Application.beneficiary_id == beneficiary_id)
        .values(answers={}, attachments=[], beneficiary_id=None, erased_at=now, updated_at=now)
    )
    for table in (Address, Consent, LinkCode):
        await session.execute(delete(table).where(table.beneficiary_id == beneficiary_id))
    await session.execute(
        delete(PersonMerge).where(
            or_(
                PersonMerge.beneficiary_id == beneficiary_id,
                PersonMerge.absorbed_id == beneficiary_id,
            )
        )
    )
    await session.execute(delete(Beneficiary).where(Beneficiary.id == beneficiary_id))
