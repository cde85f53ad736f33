"""After an erasure commits: the person's stored files go, and the database forgets the bytes.

Deleting rows is not enough. SQLite keeps deleted content in free pages and in the WAL file
until they are reused: ``PRAGMA secure_delete=ON`` (set on every connection, see
:mod:`backend.db.session`) zeroes freed space, and a ``TRUNCATE`` checkpoint copies the WAL
into the database and empties it. PostgreSQL keeps dead tuples until ``VACUUM``; the tables
erasure touches are vacuumed here, outside any transaction (see the README for what else a
deployer runs).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

#: Every table erasure deletes from or rewrites.
ERASED_TABLES = (
    "beneficiaries",
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


def media_folder(data_dir: Path, beneficiary_id: int) -> Path:
    """Where the files a person sent are kept."""
    return data_dir / "media" / str(beneficiary_id)


def remove_media(data_dir: Path, beneficiary_id: int) -> bool:
    """Delete the person's media folder; ``True`` when there was one."""
    folder = media_folder(data_dir, beneficiary_id)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


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
    data_dir: Path

    async def after_erasure(self, beneficiary_ids: Iterable[int]) -> None:
        """Remove the people's files, then the freed bytes; failures are logged, ids only."""
        for beneficiary_id in beneficiary_ids:
            try:
                remove_media(self.data_dir, beneficiary_id)
            except OSError:
                logger.exception("could not remove the media of person %s", beneficiary_id)
        try:
            await forget_freed_bytes(self.db)
        except Exception:
            logger.exception("could not checkpoint or vacuum after erasure")
