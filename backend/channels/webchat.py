"""The web chat's page and the two endpoints it uses.

A send is answered in its own response: the replies queued for it are read back by id whatever
their status, so the background dispatcher marking them sent first (it is woken by the inbound
path) can never make them miss the response. The page polls only for what staff and reminders
send later.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.errors import responses, unprocessable
from backend.app.deps import RuntimeDep, SessionDep
from backend.conversations.queries import own_messages, person_at, sent_to
from bot.webchat.adapter import CHANNEL, WebChatPost, render, render_mine, to_envelope

router = APIRouter(tags=["web chat"])
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
#: Most messages returned by one poll; the page asks again for the rest.
PAGE_SIZE = 200
#: The largest id an integer column holds (PostgreSQL: 32 bits); a larger ``after`` is a 422.
MAX_AFTER = 2**31 - 1


class WebChatMessages(BaseModel):
    """Messages for the page, oldest first; ``ended`` when the person's data was erased and
    the page should start a new session after showing them."""

    messages: list[dict[str, Any]]
    ended: bool = False


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
    """Take one message from the page and return its replies and anything newer than
    ``after``."""
    result = await runtime.inbound.receive(to_envelope(post))
    await runtime.dispatcher.run_once(channels=[CHANNEL])
    messages = await _messages(session, post.session, post.after, also=result.outbox_ids)
    person = await person_at(session, channel=CHANNEL, address=post.session)
    return WebChatMessages(messages=messages.messages, ended=person is None)


@router.get("/chat/api/messages", response_model=WebChatMessages, summary="Fetch new messages")
async def get_messages(
    session: SessionDep,
    chat_session: str = Query(alias="session"),
    after: int = Query(default=0, ge=0, le=MAX_AFTER),
    history: bool = Query(
        default=False, description="Also the person's own messages, to restore the transcript."
    ),
) -> WebChatMessages:
    """Messages delivered to this chat after ``after`` (staff replies, reminders...)."""
    try:
        address = str(uuid.UUID(chat_session))
    except ValueError as exc:
        raise unprocessable(["query", "session"], "session must be a UUID") from exc
    found = await _messages(session, address, after)
    if not history:
        return found
    return WebChatMessages(messages=await _with_own_messages(session, address, found.messages))


async def _messages(
    session: AsyncSession, address: str, after: int, also: tuple[int, ...] = ()
) -> WebChatMessages:
    """Sent messages for ``address`` after ``after``, plus ``also`` (this post's replies)
    whatever their status."""
    rows = await sent_to(
        session, channel=CHANNEL, address=address, after=after, also=also, limit=PAGE_SIZE
    )
    return WebChatMessages(
        messages=[{**render(row_id, payload), "at": _iso(at)} for row_id, payload, at in rows]
    )


async def _with_own_messages(
    session: AsyncSession, address: str, replies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The bot's messages and the person's own (kept only with consent), in time order."""
    person = await person_at(session, channel=CHANNEL, address=address)
    if person is None:
        return replies
    rows = await own_messages(session, beneficiary_id=person, limit=PAGE_SIZE)
    mine = [{**render_mine(row_id, text), "at": _iso(at)} for row_id, text, at in rows]
    return sorted([*mine, *replies], key=lambda m: (m["at"], 0 if m.get("mine") else 1))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
