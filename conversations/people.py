"""What the deployer decides about the people served, passed to the engine as plain values.

The backend reads the settings (minimum age, data controller, retention); the engine never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.content_schema import Consent

#: Legal majority in Tunisia: below it, an application needs a parent's or guardian's consent.
ADULT_AGE = 18


@dataclass(frozen=True)
class PeopleRules:
    """The deployer's choices the conversation must honour.

    Args:
        min_application_age: below this age nobody applies; from it up to 18, only with a
            parent's or guardian's consent.
        controller_name: the organisation responsible for the data, named in the consent.
        controller_contact: how to reach it (an email, a phone, an address).
        retention_days: silence after which a person's data is erased, as the consent says.
    """

    min_application_age: int = ADULT_AGE
    controller_name: str | None = None
    controller_contact: str | None = None
    retention_days: int = 730


def age_of(profile: Mapping[str, Any]) -> int | None:
    """The age the person gave, if any."""
    age = profile.get("age")
    return age if isinstance(age, int) and not isinstance(age, bool) else None


def too_young(rules: PeopleRules, profile: Mapping[str, Any]) -> bool:
    """Under the minimum age for applying."""
    age = age_of(profile)
    return age is not None and age < rules.min_application_age


def needs_guardian(profile: Mapping[str, Any]) -> bool:
    """A minor old enough to apply, with a parent's or guardian's consent."""
    age = age_of(profile)
    return age is not None and age < ADULT_AGE


def consent_text(consent: Consent, rules: PeopleRules, lang: str) -> str:
    """The consent text with the controller and the retention period filled in."""
    days = rules.retention_days
    if days == 365:
        retention = consent.retention.one_year.get(lang)
    elif days % 365 == 0:
        retention = consent.retention.years.get(lang).format(n=days // 365)
    else:
        retention = consent.retention.days.get(lang).format(n=days)
    controller = rules.controller_name or consent.controller_unset.get(lang)
    contact = rules.controller_contact or "-"
    return consent.text.get(lang).format(
        controller=controller, contact=contact, retention=retention
    )
