"""The files people sent follow their rows from one person's folder to another's.

A file lives at ``media/{person}/{id}-{name}``; when a merge (or its undo) gives the row to
another person, the file is renamed into that person's folder once the transaction has
committed, so a rollback leaves rows and files as they were. A duplicate the merge deleted
has its file deleted too: the survivor keeps their own copy, and an erasure of the survivor
must not leave the other copy behind.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.media.files import MEDIA_DIR_KEY, person_dir, stored_path
from backend.media.models import MediaFile


async def move_files_after_commit(
    session: AsyncSession,
    *,
    moved: list[int],
    dropped: list[dict[str, Any]],
    from_id: int,
    to_id: int,
) -> None:
    """Rename the moved rows' files into ``to_id``'s folder, and delete the dropped rows'
    files, after the caller's commit."""
    folder = session.info.get(MEDIA_DIR_KEY)
    if folder is None or not (moved or dropped):
        return
    data_dir = Path(folder)
    rows = await session.execute(
        select(MediaFile.id, MediaFile.file_name).where(
            MediaFile.id.in_(moved), MediaFile.file_name.is_not(None)
        )
    )
    renames = [
        (stored_path(data_dir, from_id, i, name), stored_path(data_dir, to_id, i, name))
        for i, name in rows
        if name
    ]
    deletions = [
        stored_path(data_dir, from_id, int(row["id"]), str(row["file_name"]))
        for row in dropped
        if row.get("file_name")
    ]
    rolled_back = False

    def _apply(_: Any) -> None:
        if rolled_back:
            return
        for source, target in renames:
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.replace(source, target)
        for path in deletions:
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            person_dir(data_dir, from_id).rmdir()  # only when nothing is left in it

    def _cancel(_: Any) -> None:
        nonlocal rolled_back
        rolled_back = True

    event.listen(session.sync_session, "after_commit", _apply, once=True)
    event.listen(session.sync_session, "after_rollback", _cancel, once=True)
