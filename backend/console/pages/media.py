"""Files people sent, served only to staff who may see the person.

The stored type is the one sent; ``X-Content-Type-Options: nosniff`` and a download disposition
(inline only for images, audio and video) keep a browser from running a file as a page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from backend.app.deps import SessionDep
from backend.console.auth import ConsoleStaff
from backend.console.pages.forms import runtime_of
from backend.console.pages.not_found import console_not_found
from backend.media.views import display_of, file_for_staff
from backend.staff.audit import record

router = APIRouter()


@router.get("/media/{media_id}")
async def media_file(
    media_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
) -> FileResponse:
    """The file, or 404 when unknown, not stored yet, or the person is out of scope."""
    runtime = runtime_of(request)
    found = await file_for_staff(
        session, principal=principal, media_id=media_id, data_dir=runtime.settings.data_dir
    )
    if found is None:
        raise console_not_found()
    media, path = found
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="media",
        object_id=media.id,
        at=runtime.clock(),
    )
    await session.commit()
    content_type = media.content_type or "application/octet-stream"
    inline = request.query_params.get("inline") == "1" and display_of(content_type) != "download"
    disposition = "inline" if inline else "attachment"
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{media.file_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
