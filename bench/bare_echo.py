"""The yardstick: a bare aiogram echo bot, polling with aiogram's own Dispatcher.

Each message is answered with one ``sendMessage`` (the text back), each button press with one
``sendMessage`` (the button's data), as a reply to the message concerned so the benchmark can
tell which update a reply answers. No database, no engine: the library's own speed.

Run as ``python -m bench.bare_echo API_URL TOKEN`` (the benchmark starts it as a process).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message, ReplyParameters


async def main(api_url: str, token: str) -> None:
    """Poll until stopped."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.reply(message.text or "…")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        assert query.message is not None  # noqa: S101 - the stream's presses are under a message
        await bot.send_message(
            query.message.chat.id,
            query.data or "…",
            reply_parameters=ReplyParameters(message_id=query.message.message_id),
        )

    await dispatcher.start_polling(bot, polling_timeout=25, handle_signals=False)


def run() -> None:
    """The process's entry point, on uvloop like ``massar serve`` (uvicorn picks it)."""
    logging.basicConfig(level=logging.WARNING)
    api_url, token = sys.argv[1:3]
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the same loop as uvicorn's fallback then
        asyncio.run(main(api_url, token))
        return
    uvloop.run(main(api_url, token))


if __name__ == "__main__":
    run()
