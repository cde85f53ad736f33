"""The web chat answers in the send's own response, shows the erasure confirmation, restores
the whole transcript, and lets a person cancel a handoff that staff then see as cancelled."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from backend.cases.models import Case
from backend.conversations.models import OutboxMessage
from backend.db.base import utcnow
from backend.runtime import Runtime
from tests.api.conftest import make_staff
from tests.backend.webchat_driver import WebChatUser


async def test_replies_are_in_the_response_even_when_the_dispatcher_got_there_first(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: object
) -> None:
    """The background dispatcher (woken by the inbound path) may claim the rows first and still
    be sending them when the response is built: they are in the response all the same."""
    user = WebChatUser(client, runtime, "fr")
    await user.say("salut")

    async def claimed_elsewhere(**_: object) -> int:
        async with runtime.sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "queued")
                .values(
                    claim_token=str(uuid.uuid4()),  # another process's lease, still running
                    claimed_until=utcnow() + timedelta(minutes=2),
                )
            )
        return 0

    runtime.dispatcher.run_once = claimed_elsewhere  # type: ignore[method-assign]
    for text in ["1", "menu", "2", "0"]:
        await user.say(text)
        assert user.last and user.last[-1]["choices"], f"the reply to «{text}» came back at once"


async def test_the_erasure_confirmation_is_shown_and_the_session_ends(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "en")
    await user.say("hello")
    await user.say("delete my data")
    response = await user.post(choice_id=user.last[-1]["choices"][0]["id"])
    assert response.status_code == 200
    assert "All your data has been deleted" in user.text
    assert response.json()["ended"] is True


async def test_reopening_the_page_restores_the_persons_own_messages(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say("salut")
    await user.press("orient")
    await user.post(
        choice_id=next(c["id"] for c in user.last[-1]["choices"] if c["id"].endswith(".agree")),
        label="J'accepte",
    )
    await user.say("27")
    restored = (
        await client.get("/chat/api/messages", params={"session": user.session, "history": True})
    ).json()["messages"]
    mine = [m["text"] for m in restored if m.get("mine")]
    assert mine == ["J'accepte", "27"], "after consent, the person's own words are kept"
    texts = [m["text"] for m in restored]
    assert texts.index("27") < len(texts) - 1, "in time order, before the bot's answer"
    plain = (await client.get("/chat/api/messages", params={"session": user.session})).json()
    assert not any(m.get("mine") for m in plain["messages"]), "polls bring only new bot messages"


async def test_arabic_numbers_come_isolated_for_the_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "ar")
    await user.say("salam")
    await user.say("عون")
    await user.say("قائمة")
    assert "\u20664\u2069 ساعات" in user.text, "the number keeps its place in Arabic"


async def test_a_cancelled_request_is_visible_to_staff(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_staff(runtime, client, role="admin")
    user = WebChatUser(client, runtime, "en")
    await user.say("hello")
    await user.say("agent")
    await user.say("menu")
    assert [c["label"] for c in user.last[-1]["choices"]] == ["Keep waiting", "Cancel my request"]
    await user.press("cancel")
    assert "cancelled" in user.text
    listed = (await admin.get("/cases", params={"status": "cancelled"})).json()
    assert listed["total"] == 1
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None and case.status == "cancelled" and case.closed_at is not None
    await user.say("menu")
    assert user.last[-1]["choices"], "the bot answers by itself again"
