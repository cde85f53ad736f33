"""Recording the files of a message, in the message's own transaction.

Only the channel's reference is written here: the download happens after the commit, so a slow
or failing channel never delays or loses the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.dialect import insert_for
from backend.media.models import MediaFile

#: Attachment kinds that are not files (a shared location is coordinates).
NOT_FILES = frozenset({"location"})


async def enqueue(
    session: AsyncSession,
    *,
    beneficiary_id: int,
    channel: str,
    attachments: Iterable[Mapping[str, Any]],
    now: datetime,
) -> int:
    """Add a pending row per new file; a file already known for the person is skipped."""
    rows = [
        {
            "beneficiary_id": beneficiary_id,
            "channel": channel,
            "reference": str(a["reference"])[:255],
            "kind": str(a.get("kind") or "document")[:20],
            "declared_type": (str(a["mime_type"])[:100] if a.get("mime_type") else None),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for a in attachments
        if a.get("reference") and a.get("kind") not in NOT_FILES
    ]
    if not rows:
        return 0
    insert = insert_for(session)
    await session.execute(
        insert(MediaFile)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["beneficiary_id", "channel", "reference"])
    )
    return len(rows)
