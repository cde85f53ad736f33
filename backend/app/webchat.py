"""The web chat's page and the two endpoints it uses."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from backend.api.errors import responses, unprocessable
from backend.app.deps import RuntimeDep, SessionDep
from backend.db.models import OutboxMessage
from bot.webchat.adapter import CHANNEL, WebChatPost, render, to_envelope

router = APIRouter(tags=["web chat"])
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
#: Most messages returned by one poll; the page asks again for the rest.
PAGE_SIZE = 200
#: The largest id an integer column holds (PostgreSQL: 32 bits); a larger ``after`` is a 422.
MAX_AFTER = 2**31 - 1


class WebChatMessages(BaseModel):
    """Messages for the page, oldest first."""

    messages: list[dict[str, Any]]


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The chat page."""
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.post(
    "/chat/api/messages",
    response_model=WebChatMessages,
    summary="Send a message",
    responses=responses(400),
)
async def post_message(
    post: WebChatPost, runtime: RuntimeDep, session: SessionDep
) -> WebChatMessages:
    """Take one message from the page and return the replies available after ``after``."""
    result = await runtime.inbound.receive(to_envelope(post))
    await runtime.dispatcher.run_once(channels=[CHANNEL])
    return await _messages(session, post.session, post.after, also=result.outbox_ids)


@router.get("/chat/api/messages", response_model=WebChatMessages, summary="Fetch new messages")
async def get_messages(
    session: SessionDep,
    chat_session: str = Query(alias="session"),
    after: int = Query(default=0, ge=0, le=MAX_AFTER),
) -> WebChatMessages:
    """Messages delivered to this chat after ``after`` (staff replies, reminders...)."""
    try:
        address = str(uuid.UUID(chat_session))
    except ValueError as exc:
        raise unprocessable(["query", "session"], "session must be a UUID") from exc
    return await _messages(session, address, after)


async def _messages(
    session: Any, address: str, after: int, also: tuple[int, ...] = ()
) -> WebChatMessages:
    """Sent messages for ``address`` after ``after``, plus ``also`` (this post's replies, which
    carry no address any more when they confirm an erasure)."""
    mine = and_(OutboxMessage.address == address, OutboxMessage.id > after)
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload)
        .where(
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.status == "sent",
            or_(mine, OutboxMessage.id.in_(also)) if also else mine,
        )
        .order_by(OutboxMessage.id)
        .limit(PAGE_SIZE)
    )
    return WebChatMessages(messages=[render(row.id, row.payload) for row in rows])
