"""An :class:`Outgoing` as Graph API message payloads, within WhatsApp's limits.

* No choices: text messages of at most 4,096 characters.
* 1 to 3 choices: reply buttons, unique titles of at most 20 characters.
* 4 to 10 choices: a list message; row titles of at most 24 characters, and when a title had to
  be shortened the whole label goes in the row's description (72), so nothing is lost.
* More than 10: the first 9 rows and a «More…» row. Its id is ``more~`` followed by the id of
  the last choice shown; the backend answers a press on it by sending the same question with
  the choices after that one (the message is in the outbox), so the adapter keeps no state and
  a page of choices is never stale.
* A body longer than 1,024 characters with choices: the beginning goes first as text messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.whatsapp.shorten import split_text, unique_titles
from conversations.bidi import for_display
from conversations.labels import shorten
from conversations.messages import Choice, Outgoing

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
MAX_BUTTONS = 3
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20
MAX_ROWS = 10
#: The id of a «More…» row: this prefix, then the id of the last choice shown above it.
MORE_PREFIX = "more~"
#: Room for the message in a template's body parameter, leaving some for the template's text.
TEMPLATE_TEXT_LIMIT = 900

Payload = dict[str, Any]


@dataclass(frozen=True)
class Labels:
    """Words of the channel itself, in the person's language (from the Babel catalogs)."""

    more: str
    choose: str


@dataclass(frozen=True)
class TemplateRef:
    """An approved message template whose body has one parameter, ``{{1}}``, for the text."""

    name: str
    language_code: str


def render(to: str, message: Outgoing, labels: Labels) -> list[Payload]:
    """The API calls that deliver ``message``, in order."""
    message = for_display(message)
    if not message.choices:
        return [_text(to, part) for part in split_text(message.text, TEXT_LIMIT)]
    parts = split_text(message.text, INTERACTIVE_BODY_LIMIT) or [labels.choose]
    leading = [_text(to, part) for part in parts[:-1]]
    body = parts[-1]
    choices = list(message.choices)
    if len(choices) <= MAX_BUTTONS:
        return [*leading, _buttons(to, body, choices)]
    return [*leading, _list(to, body, choices, labels)]


def _envelope(to: str, kind: str, content: Payload) -> Payload:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def _text(to: str, body: str) -> Payload:
    return _envelope(to, "text", {"preview_url": False, "body": body})


def _buttons(to: str, body: str, choices: list[Choice]) -> Payload:
    titles = unique_titles([c.label for c in choices], BUTTON_TITLE_LIMIT)
    buttons = [
        {"type": "reply", "reply": {"id": choice.id, "title": title}}
        for choice, title in zip(choices, titles, strict=True)
    ]
    return _envelope(
        to,
        "interactive",
        {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    )


def _list(to: str, body: str, choices: list[Choice], labels: Labels) -> Payload:
    shown = choices if len(choices) <= MAX_ROWS else choices[: MAX_ROWS - 1]
    titles = unique_titles([c.label for c in shown], ROW_TITLE_LIMIT)
    rows: list[Payload] = []
    for choice, title in zip(shown, titles, strict=True):
        row: Payload = {"id": choice.id, "title": title}
        full = " ".join(choice.label.split())
        if full and title != full:
            row["description"] = shorten(full, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    if len(shown) < len(choices):
        more = shorten(labels.more, ROW_TITLE_LIMIT)
        if more in titles:
            more = shorten(f"{labels.more} ({len(choices) - len(shown)})", ROW_TITLE_LIMIT)
        rows.append({"id": f"{MORE_PREFIX}{shown[-1].id}", "title": more})
    return _envelope(
        to,
        "interactive",
        {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": shorten(labels.choose, LIST_BUTTON_LIMIT),
                "sections": [{"rows": rows}],
            },
        },
    )


def render_template(to: str, template: TemplateRef, text: str) -> list[Payload]:
    """``text`` sent as ``template``, in as many messages as its length needs.

    Meta refuses parameters with line breaks, tabs or more than four spaces in a row, so lines
    are joined with a middle dot.
    """
    flat = " · ".join(line.strip() for line in text.splitlines() if line.strip())
    flat = " ".join(flat.split())
    return [
        _envelope(
            to,
            "template",
            {
                "name": template.name,
                "language": {"code": template.language_code},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": part}]}],
            },
        )
        for part in split_text(flat, TEMPLATE_TEXT_LIMIT) or ["…"]
    ]


def is_more(reply_id: str) -> bool:
    """Whether a list reply is a press on a «More…» row."""
    return reply_id.startswith(MORE_PREFIX)


def after_more(reply_id: str) -> str:
    """The id of the last choice shown above the «More…» row that was pressed."""
    return reply_id.removeprefix(MORE_PREFIX)
