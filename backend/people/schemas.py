"""People, as staff look them up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.api.schemas import Output
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
