"""One way to render a console page: the template gets the staff member's language, the
CSRF token, and filters for dates, waits, amounts and left-to-right fragments inside Arabic.

Filters (in every template): ``value|when`` (date and time), ``value|day`` (date),
``value|waited`` (how long ago), ``minor|amount(currency)``, ``value|number`` and
``value|ltr`` (``<bdi dir="ltr">``, for phone numbers, references and emails).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from backend.console.i18n import catalogs
from backend.runtime import Runtime
from backend.staff.service import Principal
from conversations.i18n import FORMAT_LOCALES, Translator

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class PageContext:
    """What every console request knows about its viewer; set on ``request.state.console``."""

    staff: Principal | None
    lang: str
    csrf_token: str


class Formats:
    """Dates, waits and amounts in the staff member's locale and the deployment's zone."""

    def __init__(self, translator: Translator, zone: ZoneInfo, now: datetime) -> None:
        self.translator = translator
        self.locale = FORMAT_LOCALES[translator.lang]
        self.zone = zone
        self.now = now

    def when(self, value: datetime | None) -> str:
        """A date and a 24-hour time, local to the deployment (``01/12/2026 14:05``)."""
        if value is None:
            return ""
        local = value.astimezone(self.zone)
        day = format_date(local.date(), "short", locale=self.locale)
        return f"{day} {format_time(local, 'HH:mm', locale=self.locale)}"

    def day(self, value: datetime | None) -> str:
        """A date alone, medium form (``1 déc. 2026``)."""
        if value is None:
            return ""
        local = value.astimezone(self.zone) if isinstance(value, datetime) else value
        return self.translator.date(local)

    def waited(self, since: datetime | None) -> str:
        """How long ago, roughly (``12 minutes``)."""
        if since is None:
            return ""
        delta = max(self.now - since, timedelta(0))
        return format_timedelta(delta, threshold=1.2, locale=self.locale)


def ltr(value: object) -> Markup:
    """A phone number, a reference or an email kept left-to-right inside Arabic text."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def _formats(context: Context) -> Formats:
    formats = context.get("fmt")
    if not isinstance(formats, Formats):
        raise RuntimeError("console templates are rendered with backend.console.render.render")
    return formats


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    return _formats(context).when(value)


@pass_context
def _day(context: Context, value: datetime | None) -> str:
    return _formats(context).day(value)


@pass_context
def _waited(context: Context, value: datetime | None) -> str:
    return _formats(context).waited(value)


@pass_context
def _amount(context: Context, minor_units: int | None, currency: str) -> str:
    if minor_units is None:
        return ""
    return _formats(context).translator.amount(minor_units, currency)


@pass_context
def _number(context: Context, value: int | float | None) -> str:
    if value is None:
        return ""
    return _formats(context).translator.number(value)


environment.filters.update(
    ltr=ltr, when=_when, day=_day, waited=_waited, amount=_amount, number=_number
)


def page_context(request: Request) -> PageContext:
    """The viewer of this request, as the console's dependencies set it."""
    context = getattr(request.state, "console", None)
    if isinstance(context, PageContext):
        return context
    return PageContext(staff=None, lang="fr", csrf_token="")


def render(request: Request, template: str, *, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render ``template`` for the viewer of ``request``. Every value is escaped unless a
    template marks it safe; ``_`` translates into the viewer's language."""
    runtime: Runtime = request.app.state.runtime
    viewer = page_context(request)
    translator = catalogs(runtime.settings.locales_dir).get(viewer.lang)
    values: dict[str, Any] = {
        "request": request,
        "_": translator.gettext,
        "staff": viewer.staff,
        "csrf_token": viewer.csrf_token,
        "lang": viewer.lang,
        "dir": translator.direction,
        "fmt": Formats(translator, runtime.settings.zone, runtime.clock()),
        "path": request.url.path,
        **ctx,
    }
    body = environment.get_template(template).render(values)
    return HTMLResponse(body, status_code=status_code)
