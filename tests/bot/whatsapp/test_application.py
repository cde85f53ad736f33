"""People apply on WhatsApp through reply buttons and lists, with «More…» pages and files."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from backend.applications.models import Application
from backend.cases.models import Case
from backend.runtime import Runtime
from conversations.messages import Conversation
from tests.bot.whatsapp.driver import WhatsAppPerson
from tests.doubles.whatsapp_api import GraphApiDouble


def interactive_types(graph: GraphApiDouble) -> set[str]:
    return {p["interactive"]["type"] for p in graph.delivered if p["type"] == "interactive"}


def texts(payloads: list[dict[str, object]]) -> str:
    found = []
    for payload in payloads:
        body = payload.get("text") or payload.get("interactive", {}).get("body")  # type: ignore[union-attr]
        found.append(body["text" if "text" in body else "body"])  # type: ignore[index]
    return "\n".join(found)


async def test_a_full_application_on_whatsapp_through_buttons_and_lists(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    files_sent = False

    async def send_files(conversation: Conversation) -> None:
        nonlocal files_sent
        if conversation.node == "form" and not files_sent:
            files_sent = True
            await person.send(
                person.message("image", {"id": "1003383421387256", "mime_type": "image/jpeg"})
            )
            await person.send(
                person.message(
                    "audio",
                    {
                        "id": "1981526732650328",
                        "mime_type": "audio/ogg; codecs=opus",
                        "voice": True,
                    },
                )
            )
            await person.send(
                person.message(
                    "document",
                    {
                        "id": "1320583232578731",
                        "mime_type": "application/pdf",
                        "filename": "cin.pdf",
                    },
                )
            )
            await person.send(
                person.message("location", {"latitude": 35.1676, "longitude": 8.8365})
            )

    reference = await person.apply("joud-nefzaoua", "fr", before=send_files)
    assert reference.startswith("JOUD-2026-")
    assert reference in texts(graph.to(person.wa_id)), "the person is told their reference"
    assert interactive_types(graph) == {"button", "list"}
    assert person.more_pressed >= 1, "Kébili is on the second page of governorates"
    assert all(call.status == 200 for call in graph.calls), "Meta accepted every message"
    async with wa_runtime.sessions() as session:
        application = await session.scalar(select(Application))
    assert application is not None
    assert application.attachments == [
        {"kind": "image", "reference": "1003383421387256", "mime_type": "image/jpeg"},
        {"kind": "voice", "reference": "1981526732650328", "mime_type": "audio/ogg; codecs=opus"},
        {"kind": "document", "reference": "1320583232578731", "mime_type": "application/pdf"},
        {"kind": "location", "reference": "35.1676,8.8365", "mime_type": None},
    ]


async def test_an_application_in_arabic(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph, wa_id="21620123456")
    await person.say("مرحبا 👋")
    await person.say("لغة")
    await person.press("ar")
    assert (await person.beneficiary()).language == "ar"
    reference = await person.apply("iess", "ar")
    assert reference in texts(graph.to(person.wa_id))
    assert all(call.status == 200 for call in graph.calls)


async def test_the_country_code_picks_portuguese_for_mozambique(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph, wa_id="258841234567")
    await person.say("Olá")
    assert (await person.beneficiary()).language == "pt"
    reference = await person.apply("essor-biosp", "pt")
    assert reference


async def test_more_pages_then_a_choice_from_the_second_page(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    for option in ("orient", "agree"):
        await person.press(option)
    await person.say("30")
    await person.press("woman")
    first = await person.press("tn")
    rows = first[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and rows[-1]["id"].startswith("more~")
    question = first[-1]["interactive"]["body"]["text"]

    second = await person.tap("list_reply", rows[-1]["id"], rows[-1]["title"])
    [page] = second
    assert page["interactive"]["body"]["text"] == question, "the same question"
    page_rows = page["interactive"]["action"]["sections"][0]["rows"]
    assert {r["id"] for r in page_rows}.isdisjoint({r["id"] for r in rows})
    again = await person.tap("list_reply", rows[-1]["id"], rows[-1]["title"])
    assert len(again) == 1, "pressing «More…» twice shows the second page twice"
    await person.tap("list_reply", page_rows[0]["id"], page_rows[0]["title"])
    person_row = await person.beneficiary()
    assert person_row.profile["governorate"] == page_rows[0]["id"].partition(".")[2]


async def test_more_on_a_question_that_is_gone_says_so_and_asks_the_current_one(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    replies = await person.tap("list_reply", "more~0a0b0c.nowhere", "Plus…")
    assert replies, "answered, not ignored"
    assert "question" in texts(replies).lower()


async def test_a_duplicate_more_press_shows_one_page(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    for option in ("orient", "agree"):
        await person.press(option)
    await person.say("30")
    await person.press("woman")
    first = await person.press("tn")
    more = first[-1]["interactive"]["action"]["sections"][0]["rows"][-1]
    content = {"type": "list_reply", "list_reply": {"id": more["id"], "title": more["title"]}}
    message = person.message("interactive", content, wamid="wamid.MORE-ONCE")
    assert len(await person.send(message)) == 1
    assert await person.send(message) == []


async def test_files_sent_before_consent_are_answered_not_kept(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    replies = await person.send(person.message("image", {"id": "99", "mime_type": "image/png"}))
    assert replies
    async with wa_runtime.sessions() as session:
        assert await session.scalar(select(Case)) is None


async def test_files_sent_outside_an_application_go_to_a_handoff_request(
    wa_client: httpx.AsyncClient, wa_runtime: Runtime, graph: GraphApiDouble
) -> None:
    person = WhatsAppPerson(wa_client, wa_runtime, graph)
    await person.say("bonjour")
    await person.press("orient")
    await person.press("agree")
    await person.send(person.message("document", {"id": "77", "mime_type": "application/pdf"}))
    async with wa_runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None
    assert case.attachments == [
        {"kind": "document", "reference": "77", "mime_type": "application/pdf"}
    ]
