"""The Telegram contract: the same behaviour on both drivers (aiogram, python-telegram-bot) and
both modes (polling, webhook), end to end against the Bot API double."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from backend.applications.models import Application
from backend.cases.models import Case
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.people.models import Beneficiary
from tests.bot.telegram.world import PUBLIC_URL, SECRET, TelegramWorld


async def count(world: TelegramWorld, model: type, *where: object) -> int:
    async with world.runtime.sessions() as session:
        query = select(func.count()).select_from(model).where(*where)
        return int(await session.scalar(query) or 0)


def keyboard_data(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_start_up_registers_the_bot(world: TelegramWorld) -> None:
    api = world.api
    assert api.of("getMe"), "the token is checked at start"
    if world.mode == "webhook":
        (call,) = api.of("setWebhook")
        assert call.params["url"] == f"{PUBLIC_URL}/webhooks/telegram"
        assert call.params["secret_token"] == SECRET
        assert call.params["allowed_updates"] == ["message", "callback_query"]
        assert not api.of("getUpdates"), "no polling in webhook mode"
    else:
        assert api.of("deleteWebhook") and not api.of("setWebhook")
        await api.wait_for(lambda: bool(api.of("getUpdates")))
        assert api.of("getUpdates")[0].params["allowed_updates"] == ["message", "callback_query"]
    assert set(api.commands) == {None, "ar", "fr", "en", "pt"}
    for menu in api.commands.values():
        assert [c["command"] for c in menu] == [
            "start",
            "menu",
            "agent",
            "language",
            "stop",
            "delete",
        ]
    assert api.commands["fr"][1]["description"] == "Menu principal"
    assert api.commands[None] == api.commands["fr"], "the default is the deployment's language"
    assert api.commands["ar"][1]["description"] != api.commands["en"][1]["description"]


async def test_a_full_application_on_telegram(world: TelegramWorld) -> None:
    person = world.person(language_code="fr")
    replies = await person.say("/start")
    assert len(replies) >= 2 and "massar" in replies[0]["text"]
    files = [
        {"photo": [{"file_id": "ph-small", "file_unique_id": "a", "width": 90, "height": 90},
                   {"file_id": "ph-large", "file_unique_id": "b", "width": 800, "height": 600}]},
        {"voice": {"file_id": "vo-1", "file_unique_id": "c", "duration": 4,
                   "mime_type": "audio/ogg"}},
        {"document": {"file_id": "doc-1", "file_unique_id": "d", "mime_type": "application/pdf"}},
    ]  # fmt: skip
    reference = await person.apply("iess", before_form=files)
    assert reference in person.text
    async with world.runtime.sessions() as session:
        application = await session.scalar(select(Application))
    assert application is not None and application.status == "submitted"
    assert application.reference == reference and application.language == "fr"
    assert [a["reference"] for a in application.attachments] == ["ph-large", "vo-1", "doc-1"]
    assert [a["kind"] for a in application.attachments] == ["photo", "voice", "document"]
    presses = world.api.of("answerCallbackQuery")
    assert len(presses) >= 10, "the application was filled in with buttons"
    sent = world.api.of("sendMessage")
    assert all(len(d.encode()) <= 64 for c in sent for d in keyboard_data(c.params))


async def test_a_button_press_is_answered_at_once_and_marked(world: TelegramWorld) -> None:
    person = world.person()
    await person.say("/start")
    update = person.press_update("programs")
    replies = await person.send(update)
    query = update["callback_query"]
    (answer,) = world.api.of("answerCallbackQuery")
    assert answer.params["callback_query_id"] == query["id"]
    assert replies and all(answer.at < c.at for c in world.api.of("sendMessage")[-len(replies) :])
    (edit,) = world.api.of("editMessageText")
    assert edit.params["message_id"] == query["message"]["message_id"]
    assert edit.params["text"].endswith("✅ Nos programmes")
    assert "reply_markup" not in edit.params, "the old buttons are gone"
    assert "IESS" in person.text


async def test_a_redelivered_update_gets_no_second_reply(world: TelegramWorld) -> None:
    person = world.person()
    first = await person.say("/start")
    assert first
    await world.redeliver(person.last_update)
    await world.flush()
    assert person.replies() == []
    assert await count(world, InboundMessage) == 1
    pressed = person.press_update("programs")
    await person.send(pressed)
    await world.redeliver(pressed)
    await world.flush()
    assert person.replies() == []


async def test_a_deep_link_opens_the_program_in_the_person_language(world: TelegramWorld) -> None:
    person = world.person(language_code="ar")
    replies = await person.say("/start iess")
    assert any("IESS" in m["text"] for m in replies)
    assert any(d.endswith(".apply:iess") for m in replies for d in keyboard_data(m))
    beneficiary = await person.beneficiary()
    assert beneficiary is not None and beneficiary.language == "ar"


async def test_429_waits_retry_after_and_no_less(world: TelegramWorld) -> None:
    person = world.person()
    world.api.fail("sendMessage", 429, retry_after=7, chat_id=person.address)
    await person.say("/start", flush=False)
    await world.runtime.dispatcher.run_once()
    assert [c.status for c in world.api.of("sendMessage", ok=False)] == [429]
    world.clock.advance(timedelta(seconds=6))
    await world.runtime.dispatcher.run_once()
    assert len(world.api.of("sendMessage", ok=False)) == 1, "no retry before retry_after"
    world.clock.advance(timedelta(seconds=2))
    await world.flush()
    replies = person.replies()
    assert len(replies) >= 2 and "massar" in replies[0]["text"], "all sent, in order"


async def test_5xx_and_network_errors_are_retried_with_backoff(world: TelegramWorld) -> None:
    person = world.person()
    world.api.fail("sendMessage", 502, chat_id=person.address)
    await person.say("/start", flush=False)
    await world.runtime.dispatcher.run_once()
    async with world.runtime.sessions() as session:
        row = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
    assert row is not None and row.status == "retry" and row.last_error == "Bad Gateway"
    world.api.fail("sendMessage", 0, chat_id=person.address)  # the connection drops
    world.clock.advance(timedelta(seconds=2))
    await world.runtime.dispatcher.run_once()
    assert [c.status for c in world.api.of("sendMessage", ok=False)] == [502, 0]
    world.clock.advance(timedelta(seconds=4))
    await world.flush()
    assert len(person.replies()) >= 2


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(world: TelegramWorld) -> None:
    person = world.person()
    world.api.fail("sendMessage", 403, chat_id=person.address, times=100)
    await person.say("/start", flush=False)
    await world.runtime.dispatcher.run_once()
    world.clock.advance(timedelta(hours=1))
    await world.flush()
    assert len(world.api.of("sendMessage", ok=False)) == 1, "one try, then nothing"
    beneficiary = await person.beneficiary()
    assert beneficiary is not None and beneficiary.unreachable
    failed = await count(world, OutboxMessage, OutboxMessage.status == "failed")
    assert failed == await count(world, OutboxMessage) >= 2
    async with world.runtime.sessions() as session:
        errors = (await session.scalars(select(OutboxMessage.last_error))).all()
    assert "403: Forbidden: bot was blocked by the user" in errors


async def test_a_forged_webhook_is_refused_and_nothing_stored(world: TelegramWorld) -> None:
    person = world.person()
    update = person.message_update(text="/start")
    if world.mode == "polling":
        assert (await world.post(update)).status_code == 404
    else:
        assert (await world.post(update, secret=None)).status_code == 403
        wrong = "guess"
        assert (await world.post(update, secret=wrong)).status_code == 403
        assert (await world.post(update, secret=SECRET + "x")).status_code == 403
        assert (await world.post(None, raw=b"{not json")).status_code == 400
        assert (await world.post([1, 2])).status_code == 400
        assert (await world.post({"update_id": "7"})).status_code == 400
        bad = {"update_id": 8, "message": {"text": "no chat, no date"}}
        assert (await world.post(bad)).status_code == 400
    await world.flush()
    assert await count(world, InboundMessage) == 0
    assert await count(world, Beneficiary) == 0
    assert not world.api.of("sendMessage")


async def test_files_sent_before_consent_are_answered_not_ignored(world: TelegramWorld) -> None:
    person = world.person(language_code="en")
    voice = {"file_id": "vo-9", "file_unique_id": "x", "duration": 2, "mime_type": "audio/ogg"}
    replies = await person.send(person.message_update(voice=voice))
    assert replies, "a voice note gets an answer"
    await person.press("orient")
    await person.press("agree")
    await person.say("/menu")
    await person.send(person.message_update(voice=voice))
    assert "team will look at it" in person.text
    async with world.runtime.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None and [a["reference"] for a in case.attachments] == ["vo-9"]
