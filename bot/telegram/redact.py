"""Keep the bot token (and the webhook secret) out of every log line.

The token is part of every Bot API URL, and both libraries' HTTP clients log URLs (httpx at
INFO, python-telegram-bot at DEBUG), so redacting in our own code is not enough. A filter on a
logger does not see records of its children and a handler filter misses handlers added later
(pytest's among them), so the filter runs where every record is made: the log record factory.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

REDACTED = "<redacted>"


class SecretRedactor(logging.Filter):
    """Replaces every registered secret in a record's message and exception text."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        """Redact ``secret`` from now on (for the rest of the process)."""
        if len(secret) >= 8:
            with self._lock:
                self._secrets = self._secrets | {secret}

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = SecretRedactor()
_installed = False
_install_lock = threading.Lock()


def protect(*secrets: str | None) -> None:
    """Redact these secrets from every log record made from now on, by any logger."""
    global _installed
    for secret in secrets:
        if secret:
            REDACTOR.add(secret)
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            REDACTOR.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
