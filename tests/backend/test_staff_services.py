"""Staff actions reach the person through the pipeline: replies, closing, decisions."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from backend.applications.decisions import decide
from backend.applications.models import Application, ApplicationEvent
from backend.cases.models import Case, CaseMessage
from backend.cases.service import close_case, reply_to_case
from backend.runtime import Runtime
from tests.backend.webchat_driver import WebChatUser


async def _case(runtime: Runtime) -> Case:
    async with runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None
    return case


async def _poll(client: httpx.AsyncClient, runtime: Runtime, user: WebChatUser) -> list[dict]:
    await runtime.dispatcher.run_once()
    response = await client.get(
        "/chat/api/messages", params={"session": user.session, "after": user.after}
    )
    messages = response.json()["messages"]
    for message in messages:
        user.after = max(user.after, message["id"])
    user.last = messages
    return messages


async def test_handoff_reply_close_and_satisfaction(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.press("apply")
    await user.press("iess")
    await user.say("agent")
    assert "équipe" in user.text
    case = await _case(runtime)
    assert (case.status, case.program, case.reason) == ("open", "iess", "requested")

    response = await user.post(text="Bonjour, j'ai une question sur les formations")
    assert response.status_code == 200 and user.last == [], "the bot is silent"

    async with runtime.sessions() as session, session.begin():
        case = await session.get(Case, case.id)
        assert case is not None
        await reply_to_case(
            session,
            case=case,
            staff_id=None,
            text="Bonjour Madame, oui.",
            signature="Amina · IESS",
            now=runtime.inbound._clock(),
        )  # type: ignore[arg-type]
    messages = await _poll(client, runtime, user)
    assert [m["text"] for m in messages] == ["Amina · IESS\nBonjour Madame, oui."]

    async with runtime.sessions() as session, session.begin():
        case = await session.get(Case, case.id)
        assert case is not None
        await close_case(
            session,
            engine=runtime.engine,
            case=case,
            now=runtime.inbound._clock(),
            zone=runtime.settings.zone,
        )
    messages = await _poll(client, runtime, user)
    assert "1" in [c["label"] for c in messages[-1]["choices"]]
    await user.press("5")
    async with runtime.sessions() as session:
        case = await session.get(Case, case.id)
        texts = (await session.scalars(select(CaseMessage.text).order_by(CaseMessage.id))).all()
    assert case is not None and case.satisfaction == 5 and case.closed_at is not None
    assert case.first_response_at is not None
    assert texts == ["Bonjour, j'ai une question sur les formations", "Bonjour Madame, oui."]
    assert user.last, "the bot answers again"


async def test_needs_info_decision_asks_the_fields_then_returns_for_review(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = WebChatUser(client, runtime, "ar")
    await user.say(None)
    reference = await user.apply("utss-cad")
    async with runtime.sessions() as session, session.begin():
        application = await session.scalar(
            select(Application).where(Application.reference == reference)
        )
        assert application is not None
        await decide(
            session,
            engine=runtime.engine,
            application=application,
            status="needs_info",
            note="نحتاج رقم هاتف آخر",
            fields=["phone"],
            staff_id=None,
            now=runtime.inbound._clock(),
            zone=runtime.settings.zone,
        )
    messages = await _poll(client, runtime, user)
    assert reference in messages[0]["text"] and "نحتاج رقم هاتف آخر" in messages[0]["text"]
    assert messages[0]["dir"] == "rtl"
    await user.say("22 333 444")
    async with runtime.sessions() as session:
        application = await session.scalar(
            select(Application).where(Application.reference == reference)
        )
        events = (await session.scalars(select(ApplicationEvent.status))).all()
    assert application is not None
    assert application.answers["phone"] == "+21622333444"
    assert application.status == "submitted"
    assert events == ["submitted", "needs_info", "submitted"]
