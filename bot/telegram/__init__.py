"""Telegram channel: one shared channel (``channel.py``) over two interchangeable drivers.

The deployer picks the library their team knows (``aiogram_driver`` or ``ptb_driver``); each
driver only wraps its library's HTTP client behind :class:`bot.telegram.api.BotApi`, so both
behave the same. No aiogram or python-telegram-bot type leaves this package: updates cross the
driver boundary as Bot API JSON dicts, failures as :class:`bot.telegram.api.BotApiError`.
Importing this package imports neither library.
"""
