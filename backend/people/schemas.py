"""People, as staff look them up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from backend.api.schemas import Identifier, Input, Output
from backend.applications.schemas import ApplicationRead
from backend.cases.schemas import CaseRead


class BeneficiaryRead(Output):
    """A person found by a search: enough to recognise them."""

    id: int
    channel: str
    language: str
    full_name: str | None
    phone: str | None
    references: list[str]
    programs: list[str]
    created_at: datetime
    last_inbound_at: datetime | None


class AddressRead(Output):
    """One address a person writes from; replies that answer no message go to the one used
    last (the first)."""

    id: int
    channel: str
    address: str
    language: str
    last_inbound_at: datetime | None


class BeneficiaryDetail(BeneficiaryRead):
    """A person with their profile, and the applications, cases, loans and reminders of the
    programs one works on (loans without their schedule: ``GET /loans/{id}`` has it)."""

    profile: dict[str, Any]
    consent_version: str | None
    consent_at: datetime | None
    addresses: list[AddressRead]
    applications: list[ApplicationRead]
    cases: list[CaseRead]
    loans: list[dict[str, Any]]
    reminders: list[dict[str, Any]]


class MergeCreate(Input):
    """Merge ``other_id`` into the person of the path, who remains. ``keep`` chooses, per
    profile field the two answered differently, whose answer stays (default: the newer)."""

    other_id: int = Field(ge=1, le=2**31 - 1, examples=[2])
    keep: Annotated[dict[Identifier, Literal["survivor", "absorbed"]], Field(max_length=100)] = (
        Field(default_factory=dict)
    )


class MergeRead(Output):
    """A merge: who remains, who was absorbed, and each answer they disagreed on
    (``{"field", "kept", "dropped", "from"}``; after an undo only ``field`` and ``from``)."""

    id: int
    beneficiary_id: int
    absorbed_id: int
    merged_by: str
    staff_id: int | None
    conflicts: list[dict[str, Any]]
    moved: dict[str, int]
    created_at: datetime
    undone_at: datetime | None

    @classmethod
    def of(cls, merge: Any) -> MergeRead:
        """The record as the API shows it: how many rows of each table moved, not which."""
        return cls.model_validate(
            {
                "id": merge.id,
                "beneficiary_id": merge.beneficiary_id,
                "absorbed_id": merge.absorbed_id,
                "merged_by": merge.merged_by,
                "staff_id": merge.staff_id,
                "conflicts": merge.conflicts or [],
                "moved": {table: len(ids) for table, ids in (merge.moved or {}).items()},
                "created_at": merge.created_at,
                "undone_at": merge.undone_at,
            }
        )
