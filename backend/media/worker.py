"""The media worker: downloads pending files after their message was committed.

Each file is claimed with one conditional UPDATE (several processes may run), fetched outside
any transaction, written to disk, then marked stored. A transient failure is retried with
backoff (30 s doubling, at most 6 h) until ``max_attempts``; a file too large or of a type not
allowed is ``refused``. A person erased while their file downloads loses the file too.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.base import utcnow
from backend.media.fetchers import Fetched, Fetcher, FetchError, TooLarge
from backend.media.files import allowed, base_type, safe_name, stored_path, write_file
from backend.media.models import MediaFile

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass(frozen=True)
class MediaRules:
    """Where files go and which ones are kept."""

    data_dir: Path
    max_bytes: int
    types: frozenset[str]
    max_attempts: int = 6


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s doubling, at most 6 hours."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=6))


def content_type_of(fetched: Fetched, declared: str | None) -> str:
    """The served type, unless the channel served a generic one (Telegram does)."""
    served = base_type(fetched.content_type)
    if served not in GENERIC_TYPES:
        return served
    if declared:
        return base_type(declared)
    guessed = mimetypes.guess_type(fetched.name or "")[0]
    return base_type(guessed) or "application/octet-stream"


class MediaWorker:
    """Fetches due files in small batches; :meth:`kick` runs a batch soon, once started."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        fetchers: Mapping[str, Fetcher],
        rules: MediaRules,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 20,
    ) -> None:
        self._sessions = session_factory
        self.fetchers = dict(fetchers)
        self.rules = rules
        self._clock = clock
        self._batch = batch_size
        self._started = False
        self._task: asyncio.Task[int] | None = None

    def start(self) -> None:
        """Let :meth:`kick` run batches in the background (the web app's lifespan)."""
        self._started = True

    async def stop(self) -> None:
        """Stop kicking, and wait for a running batch."""
        self._started = False
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def kick(self) -> None:
        """Run a batch now in the background, unless one is running or not started."""
        if not self._started or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.get_running_loop().create_task(self._safe_run())

    async def _safe_run(self) -> int:
        try:
            return await self.run_once()
        except Exception:
            logger.exception("media batch failed; its files stay pending")
            return 0

    async def run_once(self, now: datetime | None = None) -> int:
        """Fetch the files due now; returns how many were stored."""
        now = now or self._clock()
        async with self._sessions() as session:
            due = list(
                await session.scalars(
                    select(MediaFile.id)
                    .where(MediaFile.status == "pending", MediaFile.next_attempt_at <= now)
                    .order_by(MediaFile.next_attempt_at, MediaFile.id)
                    .limit(self._batch)
                )
            )
        stored = 0
        for media_id in due:
            claimed = await self._claim(media_id, now)
            if claimed is not None:
                stored += await self._fetch_one(claimed, now)
        return stored

    async def _claim(self, media_id: int, now: datetime) -> MediaFile | None:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(MediaFile)
                .where(
                    MediaFile.id == media_id,
                    MediaFile.status == "pending",
                    MediaFile.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + LEASE, attempts=MediaFile.attempts + 1)
                .returning(MediaFile)
            )
            row = result.scalar_one_or_none()
            if row is not None:
                session.expunge(row)
            return row

    async def _fetch_one(self, row: MediaFile, now: datetime) -> int:
        fetcher = self.fetchers.get(row.channel)
        if fetcher is None:
            await self._finish(row, status="failed", error=f"no download for {row.channel}")
            return 0
        try:
            fetched = await fetcher.fetch(row.reference, max_bytes=self.rules.max_bytes)
        except TooLarge as exc:
            await self._finish(row, status="refused", error=str(exc))
            return 0
        except FetchError as exc:
            last = not exc.transient or row.attempts >= self.rules.max_attempts
            await self._finish(
                row,
                status="failed" if last else "pending",
                error=str(exc),
                retry_at=None if last else now + backoff(row.attempts),
            )
            return 0
        kind_type = content_type_of(fetched, row.declared_type)
        if not allowed(kind_type, self.rules.types):
            await self._finish(row, status="refused", error=f"type not allowed: {kind_type}")
            return 0
        name = safe_name(fetched.name, kind=row.kind, content_type=kind_type)
        path = stored_path(self.rules.data_dir, row.beneficiary_id, row.id, name)
        await asyncio.to_thread(write_file, path, fetched.content)
        kept = await self._finish(
            row,
            status="stored",
            content_type=kind_type,
            size=len(fetched.content),
            file_name=name,
            stored_at=self._clock(),
        )
        if not kept:  # erased meanwhile: the file must not outlive the person
            path.unlink(missing_ok=True)
        return int(kept)

    async def _finish(
        self,
        row: MediaFile,
        *,
        status: str,
        error: str | None = None,
        retry_at: datetime | None = None,
        **values: object,
    ) -> bool:
        """Record the outcome; ``False`` when the row is gone (the person was erased)."""
        if error:
            logger.info("media file %s: %s", row.id, error)
        changes: dict[str, object] = {"status": status, "last_error": error, **values}
        if retry_at is not None:
            changes["next_attempt_at"] = retry_at
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(MediaFile)
                .where(MediaFile.id == row.id, MediaFile.status == "pending")
                .values(**changes)
                .returning(MediaFile.id)
            )
            return result.scalar_one_or_none() is not None
