"""The dispatch yardstick: bare aiogram sending plain messages as fast as it can.

``python -m bench.bare_send API_URL TOKEN COUNT CHATS`` sends ``COUNT`` ``sendMessage`` calls
to ``CHATS`` chats through one aiogram ``Bot``, as many at once as the dispatcher sends (one
per chat of a batch of 100), and prints nothing: the double times the calls. No database, no
limiter, no outbox: what any sender built on aiogram can reach on this machine.
"""

from __future__ import annotations

import asyncio
import sys

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

#: Messages in flight at once: the dispatcher's batch size, one message per chat of it.
IN_FLIGHT = 100


async def main(api_url: str, token: str, count: int, chats: int) -> None:
    """Send ``count`` messages, ``IN_FLIGHT`` at a time."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(token, session=session)
    try:
        for start in range(0, count, IN_FLIGHT):
            await asyncio.gather(
                *(
                    bot.send_message(2_000_000_000 + n % chats, "Que voulez-vous faire ?")
                    for n in range(start, min(count, start + IN_FLIGHT))
                )
            )
        await asyncio.Event().wait()  # the benchmark stops the process once it has counted
    finally:
        await session.close()


def run() -> None:
    """The process's entry point, on uvloop like ``massar serve``."""
    api_url, token, count, chats = sys.argv[1:5]
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the same loop as uvicorn's fallback then
        asyncio.run(main(api_url, token, int(count), int(chats)))
        return
    uvloop.run(main(api_url, token, int(count), int(chats)))


if __name__ == "__main__":
    run()
