"""Loans, trainings, reminder answers and the follow-up survey, from the person's side."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conversations.engine import Engine
from conversations.ports import PaymentView, TrainingView
from tests.conversations.chat import Chat


async def test_next_payment_gives_amount_and_date_in_the_persons_language(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.press("payment")
    assert "aucun paiement" in chat.text.lower() or chat.replies
    chat.store.payment = PaymentView(125_500, "TND", date(2026, 12, 3), 0)
    await chat.press("payment")
    assert "125,500\xa0DT" in chat.text and "3 déc. 2026" in chat.text
    chat.store.payment = PaymentView(125_500, "TND", date(2026, 11, 20), 3)
    await chat.press("payment")
    assert "3" in chat.text and "20 nov. 2026" in chat.text


async def test_a_person_registers_for_an_upcoming_training(engine: Engine) -> None:
    chat = Chat(engine, "en")
    chat.store.trainings = [
        TrainingView(1, "CEFE", datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "Kébili", False, 0),
        TrainingView(2, "GERME", datetime(2026, 12, 8, 8, 0, tzinfo=UTC), "Kébili", False, 5),
    ]
    await chat.send("hi")
    await chat.press("trainings")
    assert "GERME" in chat.labels and "CEFE" not in chat.labels, "a full session is not offered"
    await chat.send("germe")
    assert chat.store.trainings[1].enrolled
    assert "registered" in chat.text
    await chat.press("trainings")
    assert "GERME" in chat.text and "no other session" in chat.text


async def test_reminder_buttons_are_answered_at_any_step(engine: Engine) -> None:
    chat = Chat(engine, "ar")
    chat.store.reminders = {41}
    await chat.send("سلام")
    await chat.press("orient")
    await chat.send(choice_id="rem.41.paid")
    assert chat.store.reminder_answers == {41: "paid"}
    await chat.send(choice_id="rem.99.coming")
    assert 99 not in chat.store.reminder_answers
    assert chat.replies, "an old or foreign reminder still gets a reply"


async def test_follow_up_survey_validates_and_records_answers(engine: Engine) -> None:
    chat = Chat(engine, "pt")
    await chat.send("olá")
    chat.replies = await engine.move(
        chat.conversation,
        node="survey",
        params={"survey": 5},
        store=chat.store,
        now=chat.clock(),
    )
    assert "Quatro perguntas" in chat.text
    await chat.send("muitos")
    assert chat.conversation.params["q"] == "jobs_created"
    await chat.send("3")
    await chat.send("saltar")
    await chat.send("2")
    await chat.press("s4")
    assert chat.store.surveys == {
        5: {
            "jobs_created": 3,
            "monthly_revenue": None,
            "trainings_attended": 2,
            "satisfaction": "s4",
        }
    }
    assert chat.conversation.node == "menu"


async def test_staff_can_send_a_person_who_never_wrote_past_the_welcome(engine: Engine) -> None:
    """A survey or question sent before the person's first message returns to the menu."""
    chat = Chat(engine, "fr")
    chat.replies = await engine.move(
        chat.conversation,
        node="survey",
        params={"survey": 9},
        store=chat.store,
        now=chat.clock(),
    )
    for answer in ["1", "passer", "0 formation"]:
        await chat.send(answer)
    await chat.press("s5")
    assert chat.store.surveys[9]["satisfaction"] == "s5"
    assert chat.conversation.node == "menu"
