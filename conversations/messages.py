"""Channel-neutral messages: what a person sent, and what the bot answers.

Adapters in ``bot/`` translate a native update into :class:`Incoming` and an
:class:`Outgoing` into a native API call; nothing else crosses that boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A button: ``id`` comes back when pressed, ``label`` is what the person sees."""

    id: str
    label: str


@dataclass(frozen=True)
class Attachment:
    """A photo, voice note or document a person sent, kept as the channel's reference."""

    kind: str
    reference: str
    mime_type: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready form."""
        return {"kind": self.kind, "reference": self.reference, "mime_type": self.mime_type}


@dataclass(frozen=True)
class Incoming:
    """What a person sent: text, a pressed button, or both empty for a bare attachment.

    ``language_hint`` is the channel's guess (Telegram's ``language_code``, the browser's
    language) and is used only on first contact. ``start_payload`` is a deep link's argument.
    """

    text: str | None = None
    choice_id: str | None = None
    language_hint: str | None = None
    start_payload: str | None = None
    attachments: tuple[Attachment, ...] = ()
    #: The name the channel gives the sender, for staff; never read by the engine.
    sender_name: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Outgoing:
    """One message to send. ``direction`` is ``rtl`` for Arabic so renderers can align it."""

    text: str
    language: str
    choices: tuple[Choice, ...] = ()
    direction: str = "ltr"
    kind: str = "reply"

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready form, for the outbox."""
        return {
            "text": self.text,
            "language": self.language,
            "direction": self.direction,
            "kind": self.kind,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Outgoing:
        """Rebuild a message written by :meth:`to_payload`."""
        return cls(
            text=str(payload["text"]),
            language=str(payload.get("language", "fr")),
            direction=str(payload.get("direction", "ltr")),
            kind=str(payload.get("kind", "reply")),
            choices=tuple(Choice(c["id"], c["label"]) for c in payload.get("choices", [])),
        )


@dataclass
class Conversation:
    """Everything the engine knows about one person, loaded before a turn and saved after it.

    ``profile`` and ``drafts`` are personal data and stay empty until consent is given.
    """

    language: str
    node: str = "new"
    params: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    consent_version: str | None = None
    consent_at: str | None = None
    reminders_opt_out: bool = False
    misunderstood: int = 0
    last_active: str | None = None
    erased: bool = False
    #: A member of staff has this conversation: the bot does not answer by itself.
    case_open: bool = False
    #: The staff return time (ISO) the person was last told about, so it is said once.
    away_notice: str | None = None
    #: Answers worth offering back in a later form ("Is +216 ... still your number?"), by
    #: kind (``phone``, ``name``). Personal data: kept only with consent, like drafts.
    known: dict[str, Any] = field(default_factory=dict)

    def state_json(self) -> dict[str, Any]:
        """The position in the conversation, without profile or consent (stored apart)."""
        return {
            "node": self.node,
            "params": self.params,
            "drafts": self.drafts,
            "files": self.files,
            "misunderstood": self.misunderstood,
            "away_notice": self.away_notice,
            "known": self.known,
        }
