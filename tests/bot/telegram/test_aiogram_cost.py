"""The aiogram driver's cost per call: reading an answer never rebuilds aiogram's response
class, even after the garbage collector has run (pydantic keeps such classes only weakly, and
rebuilding one took an eighth of the bot's time under load), and a call goes as a JSON body
(aiogram's form quoted every field byte by byte) that says exactly what a form said."""

from __future__ import annotations

import gc

import pytest
from pydantic._internal import _generics

from bot.telegram.aiogram_driver import AiogramApi
from bot.telegram.channel import TelegramConfig
from tests.bot.telegram.world import TOKEN
from tests.doubles.telegram_api import TelegramApiDouble


async def test_answers_are_read_without_building_classes_again(
    telegram_api: TelegramApiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = AiogramApi(TelegramConfig(token=TOKEN, api_url=telegram_api.url))
    keyboard = [[{"text": "Oui", "callback_data": "q.yes"}]]
    try:
        await api.send_message("42", "Bonjour", keyboard)
        await api.answer_callback_query("q1")
        await api.edit_message_text("42", 1001, "Bonjour ✅")
        built: list[str] = []
        create = _generics.create_generic_submodel

        def counting(name: str, *args: object, **kwargs: object) -> object:
            built.append(name)
            return create(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(_generics, "create_generic_submodel", counting)
        for _ in range(3):
            gc.collect()
            await api.send_message("42", "Bonjour", keyboard)
            await api.answer_callback_query("q1")
            await api.edit_message_text("42", 1001, "Bonjour ✅")
    finally:
        await api.close()

    assert built == []


async def test_calls_go_as_json_bodies_and_arrive_as_sent(
    telegram_api: TelegramApiDouble,
) -> None:
    api = AiogramApi(TelegramConfig(token=TOKEN, api_url=telegram_api.url))
    keyboard = [
        [{"text": "نعم ✅", "callback_data": "q.yes"}],
        [{"text": "Non", "callback_data": "q.no"}],
    ]
    markup = {
        "inline_keyboard": [
            [{"text": "نعم ✅", "callback_data": "q.yes"}],
            [{"text": "Non", "callback_data": "q.no"}],
        ]
    }
    try:
        for text in ("مرحبا 👋 — « Bonjour »", "Olá & adeus = 100%"):
            await api.send_message("42", text, keyboard)
        await api.send_message("-100123", "sans boutons", None)
        await api.answer_callback_query("q1")
        await api.edit_message_text("42", 1001, "Bonjour\n\n✅ Oui")
    finally:
        await api.close()

    answering = [c for c in telegram_api.calls if c.method != "getMe"]
    assert {c.content_type for c in answering} == {"application/json"}
    sent = telegram_api.of("sendMessage")
    assert [c.params["text"] for c in sent] == [
        "مرحبا 👋 — « Bonjour »",
        "Olá & adeus = 100%",
        "sans boutons",
    ]
    # The same keyboard twice (the second from the driver's cache), and none on a plain text.
    assert [c.params.get("reply_markup") for c in sent] == [markup, markup, None]
    assert [c.params["chat_id"] for c in sent] == [42, 42, -100123]
    assert telegram_api.of("answerCallbackQuery")[0].params["callback_query_id"] == "q1"
    (edit,) = telegram_api.of("editMessageText")
    assert (edit.params["message_id"], edit.params["text"]) == (1001, "Bonjour\n\n✅ Oui")
