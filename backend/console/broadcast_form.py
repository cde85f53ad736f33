"""The broadcast composer's form: the segment builder's fields read back into the segment the
service expands, the channel limits shown beside each text, and the progress as a page shows it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from backend.broadcasts.service import Progress
from bot.telegram.common import MAX_TEXT as TELEGRAM_LIMIT
from bot.whatsapp.render import TEMPLATE_TEXT_LIMIT, TEXT_LIMIT
from conversations.content_loader import Content
from conversations.content_schema import LANGUAGES

APPLICATION_STATUSES = ("submitted", "accepted", "rejected", "waitlisted", "needs_info")
#: Limits shown to staff: Telegram and WhatsApp texts, and a WhatsApp template's body (what a
#: broadcast becomes outside the 24-hour window). Longer texts are split into several messages.
LIMITS = {
    "telegram": TELEGRAM_LIMIT,
    "whatsapp": TEXT_LIMIT,
    "template": 1024,
    "template_part": TEMPLATE_TEXT_LIMIT,
}
MAX_TEXT = 4000
#: Each language by its own name, as the console's language switch shows them.
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English", "pt": "Português"}
FINISHED = ("done", "cancelled", "expired")


def parts(length: int, limit: int) -> int:
    """How many messages a text of ``length`` characters takes at ``limit`` per message."""
    return max(1, math.ceil(length / limit))


def options_of(content: Content, question: str) -> list[str]:
    """The option ids of a profile question (governorates, countries)."""
    found = content.profile_question(question)
    return [option.id for option in found.options] if found is not None else []


def segment_from(form: FormData, content: Content) -> dict[str, Any]:
    """The segment the form describes; values outside the known ones are dropped."""

    def many(name: str, allowed: list[str] | tuple[str, ...]) -> list[str]:
        return [v for v in dict.fromkeys(str(x) for x in form.getlist(name)) if v in allowed]

    segment: dict[str, Any] = {}
    program = str(form.get("program") or "")
    if program in content.programs:
        segment["program"] = program
    for key, allowed in (
        ("application_status", APPLICATION_STATUSES),
        ("governorate", options_of(content, "governorate")),
        ("country", options_of(content, "country")),
        ("language", LANGUAGES),
    ):
        if chosen := many(key, allowed):
            segment[key] = chosen
    training = str(form.get("training") or "")
    if training.isdigit() and 0 < int(training) < 2**31:
        segment["training"] = [int(training)]
    return segment


def texts_from(form: FormData) -> dict[str, str]:
    """The text per language; blank ones left out, each cut to what the API accepts."""
    texts = {}
    for lang in LANGUAGES:
        value = str(form.get(f"text_{lang}") or "").strip()
        if value:
            texts[lang] = value[:MAX_TEXT]
    return texts


@dataclass(frozen=True)
class ProgressView:
    """A broadcast's progress for the bar: counts, the total expected and the percentage."""

    status: str
    total: int
    queued: int
    sent: int
    failed: int
    skipped: int
    cancelled: int

    @property
    def done(self) -> int:
        """People the broadcast is finished with, whatever the outcome."""
        return self.sent + self.failed + self.skipped + self.cancelled

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status in FINISHED else 0
        return min(100, math.floor(100 * self.done / self.total))

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "total": self.total,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "cancelled": self.cancelled,
            "percent": self.percent,
            "finished": self.status in FINISHED and self.queued == 0,
        }


def progress_view(status: str, counts: Progress, expected: int | None) -> ProgressView:
    """While the broadcast is still expanding, the total is the segment's reach counted now."""
    total = counts.recipients
    if status not in FINISHED and expected is not None:
        total = max(total, expected)
    return ProgressView(
        status=status,
        total=total,
        queued=counts.queued,
        sent=counts.sent,
        failed=counts.failed,
        skipped=counts.skipped,
        cancelled=counts.cancelled,
    )
