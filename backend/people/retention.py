"""Retention: a person silent for ``MASSAR_RETENTION_DAYS`` is erased, as the consent says.

The job erases exactly those whose last message on any of their addresses (or, for someone who
never wrote after the first contact was recorded, the first contact) is older than the limit,
through the same erasure as the API and the chat word, then runs the same clean-up after the
commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.people.erasure import erase_beneficiary
from backend.people.models import Address, Beneficiary
from backend.people.wipe import Wiper
from backend.staff.audit import record

logger = logging.getLogger(__name__)
#: People erased per transaction, so a first run on a large base does not hold long locks.
BATCH = 200


def silent_since(cutoff: datetime) -> ColumnElement[bool]:
    """People whose last message, or first contact when none is recorded, is before ``cutoff``,
    on every address of theirs: someone who still writes on one channel is not silent."""
    return and_(
        or_(
            Beneficiary.last_inbound_at < cutoff,
            and_(Beneficiary.last_inbound_at.is_(None), Beneficiary.created_at < cutoff),
        ),
        ~exists().where(
            Address.beneficiary_id == Beneficiary.id,
            or_(
                Address.last_inbound_at >= cutoff,
                and_(Address.last_inbound_at.is_(None), Address.created_at >= cutoff),
            ),
        ),
    )


async def erase_silent_people(
    sessions: async_sessionmaker[AsyncSession],
    *,
    wiper: Wiper | None,
    retention_days: int,
    now: datetime,
) -> list[int]:
    """Erase everyone silent longer than ``retention_days``; return their (former) ids."""
    cutoff = now - timedelta(days=retention_days)
    erased: list[int] = []
    while True:
        async with sessions() as session, session.begin():
            batch = list(
                await session.scalars(
                    select(Beneficiary.id)
                    .where(silent_since(cutoff))
                    .order_by(Beneficiary.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for beneficiary_id in batch:
                await erase_beneficiary(session, beneficiary_id=beneficiary_id)
                await record(
                    session,
                    staff_id=None,
                    action="erase",
                    object_type="beneficiary",
                    object_id=beneficiary_id,
                    at=now,
                )
        erased += batch
        if len(batch) < BATCH:
            break
    if erased:
        logger.info("retention: erased %d people silent for %d days", len(erased), retention_days)
        if wiper is not None:
            await wiper.after_erasure(erased)
    return erased
