"""Meta's webhook payloads as channel-neutral messages, status updates and things to ignore.

The parser never raises: whatever JSON arrives, each part is either understood, or named in
``WebhookBatch.ignored`` (without personal data) so the backend can log it and still answer
200. A message of a type we do not handle still reaches the engine, empty, so the person is
asked the current question again instead of being met with silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.base import InboundEnvelope
from bot.whatsapp.render import after_more, is_more
from conversations.messages import Attachment, Incoming

CHANNEL = "whatsapp"
#: Message types that carry a file, kept as Meta's media id (downloadable for 30 days).
MEDIA_TYPES = frozenset({"image", "audio", "voice", "document", "video"})
#: Types that need no answer: a reaction to a message, a number change notice.
QUIET_TYPES = frozenset({"reaction", "system"})
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
#: Longest sender or message id stored (the database columns' size).
MAX_ID = 128
#: WhatsApp gives no language, but the number's country is a fair first guess where the
#: programs work in one language (Chad: French; Mozambique, Guinea-Bissau: Portuguese).
#: Tunisia speaks Arabic and French: the deployment's default decides.
LANGUAGE_BY_CALLING_CODE = {"235": "fr", "245": "pt", "258": "pt"}


@dataclass(frozen=True)
class MetaError:
    """An error object from a webhook or an API answer."""

    code: int | None
    title: str
    details: str = ""

    @classmethod
    def from_json(cls, data: Any) -> MetaError:
        """Read ``{"code", "title" or "message", "error_data": {"details"}}``."""
        item = _dict(data)
        code = item.get("code")
        details = _str(_dict(item.get("error_data")).get("details"))
        title = _str(item.get("title")) or _str(item.get("message"))
        return cls(code if isinstance(code, int) else None, title, details)

    def describe(self) -> str:
        """``131047: Re-engagement message (More than 24 hours have passed...)``."""
        text = self.title or "error"
        if self.details and self.details != self.title:
            text = f"{text} ({self.details})"
        return f"{self.code}: {text}" if self.code is not None else text


@dataclass(frozen=True)
class StatusUpdate:
    """What became of a message we sent: sent, delivered, read or failed."""

    external_id: str
    status: str
    timestamp: datetime | None = None
    errors: tuple[MetaError, ...] = ()


@dataclass(frozen=True)
class MoreRequest:
    """A press on a «More…» row: show the choices after ``after``."""

    address: str
    external_id: str
    after: str


@dataclass
class WebhookBatch:
    """Everything one webhook POST carried."""

    messages: list[InboundEnvelope] = field(default_factory=list)
    more: list[MoreRequest] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    #: What was not used and why, safe to log: types and codes, never content.
    ignored: list[str] = field(default_factory=list)


def parse_webhook(payload: Any) -> WebhookBatch:
    """Read a ``whatsapp_business_account`` webhook: ``entry[].changes[].value``."""
    batch = WebhookBatch()
    body = _dict(payload)
    if body.get("object") != "whatsapp_business_account":
        batch.ignored.append(f"object {_name(body.get('object'))}")
        return batch
    for entry in _list(body.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change_dict = _dict(change)
            if change_dict.get("field") != "messages":
                batch.ignored.append(f"field {_name(change_dict.get('field'))}")
                continue
            value = _dict(change_dict.get("value"))
            names = _contact_names(value)
            for message in _list(value.get("messages")):
                _message(batch, _dict(message), names)
            for status in _list(value.get("statuses")):
                _status(batch, _dict(status))
            for error in _list(value.get("errors")):
                batch.ignored.append(f"error {MetaError.from_json(error).describe()}")
    return batch


def language_hint(wa_id: str) -> str | None:
    """A language guessed from the number's country calling code, if it says enough."""
    return next(
        (lang for code, lang in LANGUAGE_BY_CALLING_CODE.items() if wa_id.startswith(code)),
        None,
    )


def _contact_names(value: dict[str, Any]) -> dict[str, str]:
    """The profile name WhatsApp gives each sender of the batch, by ``wa_id``."""
    names: dict[str, str] = {}
    for contact in _list(value.get("contacts")):
        contact_dict = _dict(contact)
        name = _str(_dict(contact_dict.get("profile")).get("name")).strip()
        if name:
            names[_str(contact_dict.get("wa_id"))] = name[:120]
    return names


def _message(
    batch: WebhookBatch, message: dict[str, Any], names: dict[str, str] | None = None
) -> None:
    address, wamid, kind = (_str(message.get(k)) for k in ("from", "id", "type"))
    if not 0 < len(address) <= MAX_ID or not 0 < len(wamid) <= MAX_ID:
        batch.ignored.append(f"message of type {_name(kind)} without a usable sender or id")
        return
    if kind in QUIET_TYPES:
        batch.ignored.append(kind)
        return
    incoming = _incoming(kind, message)
    if isinstance(incoming, str):
        batch.more.append(MoreRequest(address, wamid, incoming))
        return
    if incoming is None:
        batch.ignored.append(f"unsupported message type {_name(kind)}, answered with the question")
        incoming = Incoming()
    incoming = replace(
        incoming, language_hint=language_hint(address), sender_name=(names or {}).get(address)
    )
    batch.messages.append(InboundEnvelope(CHANNEL, address, wamid, incoming))


def _incoming(kind: str, message: dict[str, Any]) -> Incoming | str | None:
    """The message as :class:`Incoming`; a string for a «More…» press; ``None`` if unknown."""
    content = _dict(message.get(kind))
    if kind == "text":
        return Incoming(text=_str(content.get("body")))
    if kind == "button":  # a quick-reply button of a template
        return Incoming(text=_str(content.get("text")) or _str(content.get("payload")))
    if kind == "interactive":
        reply = _dict(content.get(_str(content.get("type"))))
        reply_id = _str(reply.get("id"))
        if not reply_id or content.get("type") not in ("button_reply", "list_reply"):
            return None
        return after_more(reply_id) if is_more(reply_id) else Incoming(choice_id=reply_id)
    if kind == "location":
        latitude, longitude = content.get("latitude"), content.get("longitude")
        if not all(isinstance(v, int | float) for v in (latitude, longitude)):
            return None
        where = Attachment("location", f"{latitude},{longitude}")
        return Incoming(attachments=(where,))
    if kind in MEDIA_TYPES and _str(content.get("id")):
        media_kind = "voice" if kind == "audio" and content.get("voice") is True else kind
        mime = _str(content.get("mime_type")) or None
        return Incoming(attachments=(Attachment(media_kind, _str(content.get("id")), mime),))
    return None


def _status(batch: WebhookBatch, status: dict[str, Any]) -> None:
    wamid, state = _str(status.get("id")), _str(status.get("status"))
    if not wamid or state not in STATUSES:
        batch.ignored.append(f"status {_name(state)}")
        return
    when = _timestamp(_str(status.get("timestamp")))
    errors = tuple(MetaError.from_json(e) for e in _list(status.get("errors")))
    batch.statuses.append(StatusUpdate(wamid, state, when, errors))


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(text), UTC) if text.isascii() else None
    except (ValueError, OverflowError, OSError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _name(value: Any) -> str:
    """A type or field name fit for a log line: short, printable, never a message's content."""
    text = value if isinstance(value, str) else type(value).__name__
    return repr("".join(c for c in text[:32] if c.isprintable()))
