"""Reads that flush the session's changes first only when some of them are theirs to read.

A session flushes everything pending before each query, so that the query sees it. In an
inbound batch the pending rows are the earlier turns' people, addresses and replies, and a
query of a person's trainings or loans in a later turn flushed them in statements of their
own instead of with the batch; the query reads none of them.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def reading(session: AsyncSession, *models: type[Any]) -> dict[str, Any]:
    """Execution options for a query that reads only ``models``' tables: flush first only if
    a pending change is to one of their rows."""
    sync = session.sync_session
    pending = chain(sync.new, sync.dirty, sync.deleted)
    return {"autoflush": any(isinstance(instance, models) for instance in pending)}
