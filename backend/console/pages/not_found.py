"""The console's answer for an object that does not exist or belongs to another program: the
same 404 either way, so a page never reveals what another program holds."""

from __future__ import annotations

from fastapi import HTTPException, status


def console_not_found() -> HTTPException:
    """A 404 to raise."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="not found")
