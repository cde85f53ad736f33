"""The access log without query values: searches, web-chat session ids and the WhatsApp
verify token come in query strings, and none of it belongs in a log. The log keeps the path
and the parameters' names (``/console/people?q=<redacted>``)."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "<redacted>"


def redact_target(target: str) -> str:
    """``path?name=<redacted>&...`` for a request target with a query string."""
    path, sep, query = target.partition("?")
    if not sep:
        return target
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    if not names:
        return path + "?" + REDACTED if query else path
    return path + "?" + "&".join(f"{name[:40]}={REDACTED}" for name in names[:20])


class RedactQuery(logging.Filter):
    """Rewrites uvicorn's access records (``client, method, target, version, status``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


#: httpx logs every request's whole URL at INFO: the Telegram Bot API's carries the bot token,
#: and a client's query strings their values. Its warnings and errors still show.
QUIET_LOGGERS = ("httpx", "httpcore")


def install() -> None:
    """Add the filter to uvicorn's access logger, once, and quiet the HTTP client's."""
    for name in QUIET_LOGGERS:
        if logging.getLogger(name).level < logging.WARNING:
            logging.getLogger(name).setLevel(logging.WARNING)
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQuery) for f in logger.filters):
        logger.addFilter(RedactQuery())
