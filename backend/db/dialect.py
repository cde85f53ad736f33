"""The one place that asks which database a session talks to.

SQLite and PostgreSQL both support ``INSERT ... ON CONFLICT``, but SQLAlchemy spells it through
each dialect's own ``insert``; ``FOR UPDATE SKIP LOCKED`` exists on PostgreSQL only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def insert_for(session: AsyncSession) -> Any:
    """The dialect's ``insert``, which has ``on_conflict_do_nothing``/``_do_update``."""
    return pg_insert if is_postgres(session) else sqlite_insert
