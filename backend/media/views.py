"""What staff see of a file: whether it is stored, and how the console shows it.

Attachments are kept on applications and cases as the channel's reference; the media table
says what became of each. Serving a file checks the person is in the staff member's scope with
the same function the person's record uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.media.files import stored_path
from backend.media.models import MediaFile
from backend.people.queries import sees_person
from backend.staff.service import Principal

MEDIA_URL = "/console/media/{media_id}"


@dataclass(frozen=True)
class AttachmentView:
    """One attachment as the partial template ``partials/attachment.html`` shows it.

    ``display`` is ``image``, ``audio``, ``video`` or ``download`` once stored, else ``None``;
    ``status`` is the media status (``pending``, ``stored``, ``failed``, ``refused``) or
    ``location`` / ``unknown``.
    """

    kind: str
    status: str
    url: str | None = None
    name: str | None = None
    content_type: str | None = None
    size: int | None = None
    display: str | None = None
    location: str | None = None


def display_of(content_type: str | None) -> str:
    """How a stored file of this type is shown."""
    main = (content_type or "").split("/")[0]
    return main if main in ("image", "audio", "video") else "download"


def view_of(item: Mapping[str, Any], media: MediaFile | None) -> AttachmentView:
    """The view of one attachment dict (``kind``, ``reference``, ``mime_type``)."""
    kind = str(item.get("kind") or "document")
    if kind == "location":
        return AttachmentView(kind=kind, status="location", location=str(item.get("reference")))
    if media is None:
        return AttachmentView(kind=kind, status="unknown")
    if media.status != "stored":
        return AttachmentView(kind=kind, status=media.status)
    return AttachmentView(
        kind=kind,
        status="stored",
        url=MEDIA_URL.format(media_id=media.id),
        name=media.file_name,
        content_type=media.content_type,
        size=media.size,
        display=display_of(media.content_type),
    )


async def attachment_views(
    session: AsyncSession,
    *,
    beneficiary_id: int | None,
    items: Iterable[Mapping[str, Any]],
) -> list[AttachmentView]:
    """Views of a list of attachments of one person, in order, in one query."""
    listed = list(items or [])
    references = [str(i.get("reference")) for i in listed if i.get("reference")]
    found: dict[str, MediaFile] = {}
    if beneficiary_id is not None and references:
        rows = await session.scalars(
            select(MediaFile).where(
                MediaFile.beneficiary_id == beneficiary_id,
                MediaFile.reference.in_(references),
            )
        )
        found = {row.reference: row for row in rows}
    return [view_of(i, found.get(str(i.get("reference")))) for i in listed]


async def file_for_staff(
    session: AsyncSession, *, principal: Principal, media_id: int, data_dir: Path
) -> tuple[MediaFile, Path] | None:
    """The stored file and its path, or ``None`` when unknown, not stored or out of scope."""
    media = await session.get(MediaFile, media_id)
    if media is None or media.status != "stored" or not media.file_name:
        return None
    if not await sees_person(session, principal=principal, beneficiary_id=media.beneficiary_id):
        return None
    path = stored_path(data_dir, media.beneficiary_id, media.id, media.file_name)
    return (media, path) if path.is_file() else None
