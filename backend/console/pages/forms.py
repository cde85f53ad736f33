"""Reading the query strings and forms of console pages: a browser sends empty fields as empty
strings, and a bad value is dropped rather than answered with an error page."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from backend.console.i18n import catalogs
from backend.console.render import page_context
from backend.runtime import Runtime
from conversations.i18n import Translator

PAGE_SIZE = 50


def runtime_of(request: Request) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def translator_of(request: Request) -> Translator:
    """The signed-in viewer's translator (the console language they chose)."""
    runtime = runtime_of(request)
    return catalogs(runtime.settings.locales_dir).get(page_context(request).lang)


def choice(value: str | None, allowed: object) -> str | None:
    """``value`` when it is one of ``allowed``, else ``None``."""
    cleaned = (value or "").strip()
    return cleaned if cleaned and cleaned in allowed else None  # type: ignore[operator]


def day(value: str | None) -> date | None:
    """An ISO date from a date input, or ``None``."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def whole(value: str | None, *, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """A positive integer from a field, or ``None``."""
    text = (value or "").strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None


def page_number(value: str | None) -> int:
    """The page asked for, 1 when none."""
    return whole(value, high=100_000) or 1
