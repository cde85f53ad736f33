"""The web chat, end to end over HTTP, on every database."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser
from tests.support import ELIGIBLE_PROFILES, PERSONAL_NAME


@pytest.mark.parametrize("program", sorted(ELIGIBLE_PROFILES))
@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_every_program_can_be_completed_in_the_web_chat(
    client: httpx.AsyncClient, runtime: Runtime, program: str, lang: str
) -> None:
    user = WebChatUser(client, runtime, lang)
    await user.say(None)
    reference = await user.apply(program)
    assert reference in user.text
    assert all(m["dir"] == ("rtl" if lang == "ar" else "ltr") for m in user.last)
    async with runtime.sessions() as session:
        application = await session.scalar(
            select(Application).where(Application.reference == reference)
        )
    assert application is not None
    assert application.language == lang and application.status == "submitted"
    assert PERSONAL_NAME in application.answers.values()


async def test_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "chat/api/messages" in response.text


async def test_a_retried_post_is_answered_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "en")
    await user.say("hello")
    message_id = str(uuid.uuid4())
    await user.post(message_id=message_id, text="1")
    first = list(user.last)
    assert first
    await user.post(message_id=message_id, text="1")
    assert user.last == [], "no second reply to the same message"
    async with runtime.sessions() as session:
        inbound = await session.scalar(select(func.count()).select_from(InboundMessage))
    assert inbound == 2


async def test_polling_returns_only_new_messages(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say("salut")
    everything = await client.get("/chat/api/messages", params={"session": user.session})
    assert [m["id"] for m in everything.json()["messages"]] == [m["id"] for m in user.shown]
    newer = await client.get(
        "/chat/api/messages", params={"session": user.session, "after": user.after}
    )
    assert newer.json()["messages"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"session": "not-a-uuid", "message_id": str(uuid.uuid4()), "text": "hi"},
        {"session": str(uuid.uuid4()), "message_id": "x", "text": "hi"},
        {"session": str(uuid.uuid4()), "message_id": str(uuid.uuid4()), "text": "x" * 10_001},
        {"session": str(uuid.uuid4()), "message_id": str(uuid.uuid4()), "admin": True},
        {"text": "hi"},
    ],
)
async def test_malformed_posts_get_4xx_and_store_nothing(
    client: httpx.AsyncClient, runtime: Runtime, body: dict[str, object]
) -> None:
    response = await client.post("/chat/api/messages", json=body)
    assert response.status_code == 422
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_not_json_gets_4xx(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/chat/api/messages", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500


async def test_poll_with_bad_session_gets_4xx(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat/api/messages", params={"session": "../../etc"})
    assert response.status_code == 422


async def test_five_thousand_characters_get_a_helpful_reply(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "en")
    await user.say("hello")
    replies = await user.say("م" * 5000)
    assert replies and replies[-1]["choices"], "an explanation and the menu again"


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_references_are_sequential_per_program(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    references = []
    for _ in range(3):
        user = WebChatUser(client, runtime, "fr")
        await user.say(None)
        references.append(await user.apply("essor-biosp"))
    numbers = [int(re.sub(r".*-", "", r)) for r in references]
    assert numbers == [1, 2, 3]
    async with runtime.sessions() as session:
        sent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
    assert sent == 0, "every web chat reply was delivered"
