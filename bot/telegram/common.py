"""Driver-neutral Telegram rendering and parsing, on plain Bot API JSON.

Both drivers hand updates over as the Bot API's own JSON shape, so this one module decides
what a person sent and how an answer looks, and the two libraries cannot drift apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.base import InboundEnvelope
from bot.telegram.commands import COMMAND_WORDS
from conversations.messages import Attachment, Choice, Incoming

CHANNEL = "telegram"
#: Longest message text the Bot API takes (counted in UTF-16 code units, to be safe).
MAX_TEXT = 4096
#: Longest ``callback_data`` the Bot API takes, in bytes.
MAX_CALLBACK_DATA = 64
#: Marks a callback_data that stands for a choice id too long to send as is.
SHORT_REFERENCE = "~"
#: Labels up to this length are laid out two buttons to a row.
SHORT_LABEL = 20
#: The updates the bot asks for; everything else is never sent to it.
ALLOWED_UPDATES = ("message", "callback_query")

Keyboard = list[list[dict[str, str]]]

_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")
#: Files a person may send, by the field Telegram puts them in; the value is a default type.
_MEDIA: dict[str, str | None] = {
    "voice": "audio/ogg",
    "audio": None,
    "document": None,
    "video": None,
    "video_note": "video/mp4",
}


class InvalidUpdate(ValueError):
    """A body that is not a Telegram update."""


def valid_token(token: str) -> bool:
    """Whether ``token`` has the shape @BotFather gives (``123456:ABC-def...``)."""
    return bool(_TOKEN.match(token))


def chat_ref(address: str) -> int | str:
    """A chat id as the Bot API wants it: a number, or an ``@username`` as is."""
    try:
        return int(address)
    except ValueError:
        return address


def utf16_length(text: str) -> int:
    """The length Telegram measures: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages of at most ``limit``, at paragraph boundaries.

    A paragraph too long on its own is cut at a line break, then at a space, then anywhere.
    Whitespace at a cut is dropped; nothing else is lost or reordered.
    """
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    start = 0
    while start < len(text):
        end = _window_end(text, start, limit)
        if end < len(text):
            end = _best_cut(text, start, end)
        part = text[start:end].strip()
        if part:
            parts.append(part)
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    return parts or [text[:limit]]


def _window_end(text: str, start: int, limit: int) -> int:
    """The furthest end such that ``text[start:end]`` fits in ``limit`` UTF-16 units."""
    end = min(len(text), start + limit)
    while (excess := utf16_length(text[start:end]) - limit) > 0:
        end -= excess
    return end


def _best_cut(text: str, start: int, end: int) -> int:
    """Where to end a part inside ``text[start:end]``: the latest paragraph, line or word."""
    window = text[start:end]
    for separator in ("\n\n", "\n"):
        index = window.rfind(separator)
        if index > 0 and window[:index].strip():
            return start + index
    index = max((i for i, c in enumerate(window) if c.isspace()), default=-1)
    if index > 0 and window[:index].strip():
        return start + index
    return end


def callback_data(choice_id: str) -> str:
    """What a button sends back: the choice id, or a short reference when it is too long.

    A short reference is resolved from the pressed message's own keyboard (see
    :func:`to_envelope`), so nothing has to be remembered between sending and pressing.
    """
    if len(choice_id.encode()) <= MAX_CALLBACK_DATA:
        return choice_id
    digest = hashlib.blake2s(choice_id.encode(), digest_size=16).hexdigest()
    return SHORT_REFERENCE + digest


def inline_keyboard(choices: Sequence[Choice]) -> Keyboard:
    """Rows of inline buttons: two to a row when every label is short, else one."""
    buttons = [{"text": c.label, "callback_data": callback_data(c.id)} for c in choices]
    width = 2 if all(len(c.label) <= SHORT_LABEL for c in choices) else 1
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def command_text(text: str, words: Mapping[str, str] = COMMAND_WORDS) -> tuple[str, str | None]:
    """A ``/command`` as the engine understands it: ``(text, start payload)``.

    ``/start iess`` opens a deep link; known commands become their keyword (``/agent`` ->
    ``agent``); any other command arrives as its bare word without ``/`` or ``@botname``.
    """
    if not text.startswith("/") or len(text) < 2:
        return text, None
    head, _, rest = text[1:].partition(" ")
    command = head.split("@", 1)[0].lower()
    rest = rest.strip()
    if command == "start":
        return words.get("start", "menu"), rest or None
    if command in words:
        return words[command], None
    bare = f"{command} {rest}".strip()
    return (bare or text), None


def attachments_of(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """The files in a message, each as its Telegram ``file_id``."""
    found: list[Attachment] = []
    photos = message.get("photo") or []
    if photos:
        largest = max(photos, key=lambda p: p.get("width", 0) * p.get("height", 0))
        found.append(Attachment("photo", str(largest["file_id"]), "image/jpeg"))
    for field, default_type in _MEDIA.items():
        media = message.get(field)
        if isinstance(media, Mapping) and media.get("file_id"):
            mime = media.get("mime_type") or default_type
            found.append(Attachment(field, str(media["file_id"]), mime))
    return tuple(found)


def to_envelope(
    update: Mapping[str, Any], words: Mapping[str, str] = COMMAND_WORDS
) -> InboundEnvelope | None:
    """An update as a channel-neutral message; ``None`` for what the bot does not answer.

    Only private chats are answered: in a group, one conversation would mix several people.
    Raises :class:`InvalidUpdate` when the update lacks what its kind requires.
    """
    try:
        return _to_envelope(update, words)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidUpdate(f"not a usable update: {type(exc).__name__}") from exc


def _to_envelope(update: Mapping[str, Any], words: Mapping[str, str]) -> InboundEnvelope | None:
    external_id = str(int(update["update_id"]))
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        message = query.get("message") or {}
        chat = message.get("chat") or {"id": query["from"]["id"], "type": "private"}
        if chat.get("type") != "private":
            return None
        incoming = _pressed(query, message)
        return InboundEnvelope(CHANNEL, str(int(chat["id"])), external_id, incoming)
    message = update.get("message")
    if not isinstance(message, Mapping) or message["chat"].get("type") != "private":
        return None
    sender = message.get("from") or {}
    files = attachments_of(message)
    text, payload = None, None
    if not files and isinstance(message.get("text"), str):
        text, payload = command_text(message["text"], words)
    incoming = Incoming(
        text=text,
        language_hint=sender.get("language_code"),
        start_payload=payload,
        attachments=files,
        sender_name=sender_name(sender),
    )
    return InboundEnvelope(CHANNEL, str(int(message["chat"]["id"])), external_id, incoming)


def sender_name(sender: Mapping[str, Any]) -> str | None:
    """The sender's first and last name as Telegram gives them."""
    parts = [sender.get("first_name"), sender.get("last_name")]
    name = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
    return name[:120] or None


def _pressed(query: Mapping[str, Any], message: Mapping[str, Any]) -> Incoming:
    """A button press: its choice id, or for a short reference the label it carried."""
    data = str(query.get("data") or "")
    hint = (query.get("from") or {}).get("language_code")
    if data.startswith(SHORT_REFERENCE):
        label = pressed_label(message, data)
        if label is not None:
            return Incoming(text=label, language_hint=hint)
    return Incoming(choice_id=data or None, language_hint=hint)


def pressed_label(message: Mapping[str, Any], data: str) -> str | None:
    """The label of the button carrying ``data`` in ``message``'s inline keyboard."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if button.get("callback_data") == data:
                return str(button.get("text"))
    return None
