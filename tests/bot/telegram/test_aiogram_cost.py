"""The aiogram driver's cost per call: reading an answer never rebuilds aiogram's response
class, even after the garbage collector has run (pydantic keeps such classes only weakly, and
rebuilding one took an eighth of the bot's time under load)."""

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
