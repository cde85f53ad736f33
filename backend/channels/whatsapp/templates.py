"""Approved WhatsApp templates per message kind and language (``MASSAR_WHATSAPP_TEMPLATES``).

Read and checked at start-up: a mistake in the file is a deployer's error, so it stops the
process with the setting's name instead of holding messages later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.whatsapp.render import TemplateRef
from conversations.content_schema import Language

SETTING = "MASSAR_WHATSAPP_TEMPLATES"
#: The message kinds (``Outgoing.kind``) that may leave outside the 24-hour window.
KINDS = frozenset({"reply", "staff_reply", "reminder", "decision", "broadcast"})
PARAMETER = "{{1}}"


class TemplateEntry(BaseModel):
    """One template as created in WhatsApp Manager."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,512}$")]
    language_code: Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")]
    text: str | None = Field(default=None, description="The approved body, for reference.")

    @field_validator("text")
    @classmethod
    def _one_parameter_inside(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if value.count(PARAMETER) != 1 or "{{2}}" in value:
            raise ValueError(f"the text needs exactly one parameter, {PARAMETER}")
        if value.strip().startswith(PARAMETER) or value.strip().endswith(PARAMETER):
            raise ValueError(f"Meta refuses a template that starts or ends with {PARAMETER}")
        return value


class Templates:
    """Which template carries a message of a kind in a language, if any."""

    def __init__(self, entries: dict[str, dict[str, TemplateEntry]]) -> None:
        self._entries = entries

    def find(self, kind: str, language: str) -> TemplateRef | None:
        """The template for ``kind`` in ``language``; ``None`` when there is none."""
        entry = self._entries.get(kind, {}).get(language)
        return TemplateRef(entry.name, entry.language_code) if entry else None

    def configured(self) -> dict[str, list[str]]:
        """Languages configured per kind (for logs and checks)."""
        return {kind: sorted(langs) for kind, langs in self._entries.items()}


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, dict[Language, TemplateEntry]]


def load_templates(path: Path) -> Templates:
    """Read the file, or raise ``ValueError`` naming the setting, the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{SETTING}: cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{SETTING}: {path}: expected kinds at the top level")
    unknown = sorted(str(k) for k in raw if k not in KINDS)
    if unknown:
        raise ValueError(
            f"{SETTING}: {path}: unknown message kind(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(KINDS))}"
        )
    try:
        parsed = _File.model_validate({"kinds": raw})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"{SETTING}: {path}: {problems}") from exc
    return Templates(
        {kind: {str(lang): t for lang, t in langs.items()} for kind, langs in parsed.kinds.items()}
    )
