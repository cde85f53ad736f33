"""After an erasure commits: the database forgets the bytes (the files went with the erasure).

Deleting rows is not enough. SQLite keeps deleted content in free pages and in the WAL file
until they are reused: ``PRAGMA secure_delete=ON`` (set on every connection, see
:mod:`backend.db.session`) zeroes freed space, and a ``TRUNCATE`` checkpoint copies the WAL
into the database and empties it. PostgreSQL keeps dead tuples until ``VACUUM``; the tables
erasure touches are vacuumed here, outside any transaction (see the README for what else a
deployer runs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

#: Every table erasure deletes from or rewrites.
ERASED_TABLES = (
    "beneficiaries",
    "addresses",
    "consents",
    "link_codes",
    "person_merges",
    "inbound_messages",
    "outbox",
    "applications",
    "application_events",
    "cases",
    "case_messages",
    "reminders",
    "enrollments",
    "broadcast_recipients",
    "surveys",
    "funnel_steps",
    "loans",
)


async def forget_freed_bytes(db: AsyncEngine) -> None:
    """Make deleted rows unrecoverable from the database files, as far as the engine allows."""
    if db.dialect.name == "sqlite":
        async with db.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif db.dialect.name == "postgresql":
        async with db.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            tables = await autocommit.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            present = {name for (name,) in tables}
            for table in ERASED_TABLES:
                if table in present:
                    await autocommit.exec_driver_sql(f'VACUUM "{table}"')


@dataclass(frozen=True)
class Wiper:
    """What follows every committed erasure (the API, the chat word, the retention job)."""

    db: AsyncEngine

    async def after_erasure(self, beneficiary_ids: Iterable[int]) -> None:
        """Make the freed bytes unrecoverable; a failure is logged (no personal data)."""
        del beneficiary_ids  # the rows and files are gone already; only the bytes remain
        try:
            await forget_freed_bytes(self.db)
        except Exception:
            logger.exception("could not checkpoint or vacuum after erasure")
