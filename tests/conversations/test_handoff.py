"""Handing a conversation to staff: silence while they have it, office hours, satisfaction,
and the information they ask for."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.content_loader import Content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.messages import Attachment
from conversations.office_hours import OfficeHours
from tests.conversations.chat import Chat
from tests.support import FakeClock

TUNIS = ZoneInfo("Africa/Tunis")


@pytest.fixture
def staffed(content: Content, catalogs: Catalogs) -> Engine:
    return Engine(
        content=content,
        catalogs=catalogs,
        office_hours=OfficeHours.parse("mon-fri 08:30-17:00"),
        zone=TUNIS,
        raise_errors=True,
    )


def test_office_hours_are_parsed_and_next_opening_found() -> None:
    hours = OfficeHours.parse("Mon-Fri 8:30-17:00")
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=TUNIS)
    assert not hours.is_open(friday_evening)
    assert hours.next_opening(friday_evening) == datetime(2026, 11, 30, 8, 30, tzinfo=TUNIS)
    assert hours.is_open(datetime(2026, 11, 30, 8, 30, tzinfo=TUNIS))
    assert OfficeHours.parse("sat-mon 09:00-12:00").days == frozenset({5, 6, 0})
    for wrong in ["weekdays 9-5", "mon-fri 17:00-08:00", "xyz 08:00-09:00"]:
        with pytest.raises(ValueError, match="office hours"):
            OfficeHours.parse(wrong)


async def test_outside_office_hours_the_person_is_told_when_staff_are_back(
    staffed: Engine,
) -> None:
    clock = FakeClock(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # a Saturday
    chat = Chat(staffed, "fr", clock)
    await chat.send("salut")
    await chat.send("humain")
    assert "lundi 08:30" in chat.text


async def test_during_office_hours_an_answer_is_announced_soon(staffed: Engine) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # Tuesday 10:00 in Tunis
    chat = Chat(staffed, "en", clock)
    await chat.send("hi")
    await chat.press("human")
    assert "at work now" in chat.text


async def test_while_staff_have_it_the_bot_is_silent_and_messages_join_the_case(
    engine: Engine,
) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.send("agent")
    replies = await engine.handle(
        chat.conversation,
        __import__("conversations.messages", fromlist=["Incoming"]).Incoming(
            text="J'ai une question sur mon dossier",
            attachments=(Attachment("photo", "file-123", "image/jpeg"),),
        ),
        store=chat.store,
        now=chat.clock(),
    )
    assert replies == []
    assert chat.store.case_messages == ["J'ai une question sur mon dossier"]
    assert chat.store.case_files[0]["reference"] == "file-123"
    await chat.send("stop")
    assert chat.conversation.reminders_opt_out, "privacy and comfort words still work"
    await chat.send("agent")
    assert "déjà" in chat.text or chat.replies, "asking again is acknowledged"
    assert chat.store.handoffs == ["requested"], "no second case"


async def test_closing_asks_for_satisfaction_then_resumes_the_place(engine: Engine) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    await chat.press("orient")
    await chat.press("agree")
    await chat.send("30")
    await chat.send("agent")
    chat.conversation.case_open = False  # staff closed it
    replies = await engine.move(
        chat.conversation,
        node="satisfaction",
        params={"case": 7},
        store=chat.store,
        now=chat.clock(),
    )
    chat.replies = replies
    assert "1 = not at all" in chat.text
    await chat.press("4")
    assert chat.store.ratings == {7: 4}
    assert chat.conversation.node == "profile"
    assert chat.conversation.params["q"] == "gender"


async def test_needs_info_asks_exactly_the_marked_fields(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    reference = await chat.apply("utss-cad")
    chat.store.applications[-1]["status"] = "needs_info"
    chat.replies = await engine.move(
        chat.conversation,
        node="info",
        params={
            "reference": reference,
            "program": "utss-cad",
            "fields": ["amount_requested", "phone"],
            "field": "amount_requested",
        },
        store=chat.store,
        now=chat.clock(),
    )
    await chat.send("beaucoup")
    assert chat.conversation.params["field"] == "amount_requested", "still validated"
    await chat.send("2 500")
    assert chat.conversation.params["field"] == "phone"
    await chat.send("22 333 444")
    application = chat.store.applications[-1]
    assert application["answers"]["amount_requested"] == 2_500_000
    assert application["answers"]["phone"] == "+21622333444"
    assert application["status"] == "submitted"
    assert reference in chat.text
    assert chat.conversation.node == "menu"
