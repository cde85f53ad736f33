"""``GET /healthz``: 200 when the database answers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.app.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
async def healthz(session: SessionDep) -> dict[str, str]:
    """200 with ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    try:
        await session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise HTTPException(status_code=503, detail="database unavailable") from exc
    return {"status": "ok"}
