"""An in-memory :class:`~conversations.ports.Store`, for tests and for trying content quickly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from conversations.ports import ApplicationView


@dataclass
class MemoryStore:
    """Keeps one person's effects in lists."""

    applications: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[str] = field(default_factory=list)
    case_files: list[dict[str, Any]] = field(default_factory=list)
    erased: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    async def submit_application(
        self,
        *,
        program: str,
        reference_prefix: str,
        answers: dict[str, Any],
        language: str,
        attachments: list[dict[str, Any]],
    ) -> str:
        self.counters[reference_prefix] = self.counters.get(reference_prefix, 0) + 1
        reference = (
            f"{reference_prefix}-{datetime.now(UTC).year}-{self.counters[reference_prefix]:05d}"
        )
        self.applications.append(
            {
                "reference": reference,
                "program": program,
                "answers": answers,
                "language": language,
                "attachments": attachments,
                "status": "submitted",
                "submitted_at": datetime.now(UTC),
            }
        )
        return reference

    async def list_applications(self) -> list[ApplicationView]:
        return [
            ApplicationView(a["reference"], a["program"], a["status"], a["submitted_at"])
            for a in reversed(self.applications)
        ]

    async def request_handoff(self, *, reason: str) -> None:
        self.handoffs.append(reason)

    async def attach_to_case(self, *, attachments: list[dict[str, Any]]) -> None:
        if not self.handoffs:
            self.handoffs.append("attachment")
        self.case_files.extend(attachments)

    async def erase_person(self) -> None:
        self.case_files.clear()
        self.applications.clear()
        self.handoffs.clear()
        self.erased += 1
