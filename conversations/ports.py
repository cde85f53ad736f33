"""What the engine needs from the outside world, as small Protocols it owns.

The backend implements them with the database; tests implement them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ApplicationView:
    """One of a person's applications, as "my applications" shows it."""

    reference: str
    program: str
    status: str
    submitted_at: datetime


class Store(Protocol):
    """Effects of a turn that outlive the conversation state, for the person being served."""

    async def submit_application(
        self,
        *,
        program: str,
        reference_prefix: str,
        answers: dict[str, Any],
        language: str,
        attachments: list[dict[str, Any]],
    ) -> str:
        """Save a submitted application with the files sent during it; return its reference."""
        ...

    async def list_applications(self) -> list[ApplicationView]:
        """The person's applications, newest first."""
        ...

    async def request_handoff(self, *, reason: str) -> None:
        """Record that the person asked for a member of staff."""
        ...

    async def attach_to_case(self, *, attachments: list[dict[str, Any]]) -> None:
        """Attach files to the person's open handoff request, opening one if needed."""
        ...

    async def erase_person(self) -> None:
        """Erase everything personal about the person, everywhere."""
        ...
