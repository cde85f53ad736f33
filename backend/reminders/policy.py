"""When reminders go out: the deployment's rules, as one plain value built from Settings.

The policy also travels with every database session (``session.info``) so a conversation
turn that enrols someone plans their reminders with the same rules as the staff API and the
tick, without the engine knowing about settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from backend.reminders.quiet_hours import QuietHours

if TYPE_CHECKING:
    from backend.settings import Settings

REPAYMENT_KINDS = ("repayment_before", "repayment_due", "repayment_late")
TRAINING_KINDS = {
    "training_day_before": timedelta(days=1),
    "training_two_hours": timedelta(hours=2),
}
#: Answers a person may give, per kind (the buttons are ``rem.<id>.<answer>``).
ANSWERS: dict[str, tuple[str, ...]] = {
    **{kind: ("paid",) for kind in REPAYMENT_KINDS},
    **{kind: ("coming", "not_coming") for kind in TRAINING_KINDS},
}
DEFAULT_GRACE: dict[str, timedelta] = {
    "repayment": timedelta(days=2),
    "training_day_before": timedelta(hours=12),
    "training_two_hours": timedelta(hours=1),
    "survey": timedelta(days=14),
    "broadcast": timedelta(days=1),
}
SESSION_KEY = "massar.reminder_policy"


def repayment_kind(offset_days: int) -> str:
    """``repayment_before``, ``repayment_due`` or ``repayment_late`` for an offset in days."""
    if offset_days < 0:
        return "repayment_before"
    return "repayment_due" if offset_days == 0 else "repayment_late"


def parse_days(value: str) -> tuple[int, ...]:
    """``"-3,0,3"`` -> ``(-3, 0, 3)``, sorted and without repeats."""
    try:
        return tuple(sorted({int(part) for part in value.split(",") if part.strip()}))
    except ValueError:
        raise ValueError(f"'{value}' is not a list of whole days such as -3,0,3") from None


@dataclass(frozen=True)
class ReminderPolicy:
    """Quiet hours, repayment offsets, the local send time, and grace periods per kind."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Africa/Tunis"))
    quiet: QuietHours = field(default_factory=lambda: QuietHours.parse("21:00-08:00"))
    send_time: time = time(9, 0)
    repayment_days: tuple[int, ...] = (-3, 0, 3)
    repayment_days_by_program: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    grace: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_GRACE))
    survey_months: tuple[int, ...] = (3, 6)
    batch_size: int = 500
    #: The channel reminders go to when the person has an address on it (else where they last
    #: wrote from); ``None``: always where they last wrote from.
    channel: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        """The policy the settings describe (they were checked at start-up)."""
        return cls(
            zone=settings.zone,
            quiet=QuietHours.parse(settings.quiet_hours),
            send_time=settings.reminder_clock,
            repayment_days=parse_days(settings.repayment_reminder_days),
            repayment_days_by_program={
                program: parse_days(days)
                for program, days in settings.repayment_reminder_days_by_program.items()
            },
            grace={
                "repayment": timedelta(hours=settings.reminder_grace_hours_repayment),
                "training_day_before": timedelta(
                    hours=settings.reminder_grace_hours_training_day_before
                ),
                "training_two_hours": timedelta(
                    hours=settings.reminder_grace_hours_training_two_hours
                ),
                "survey": timedelta(days=settings.survey_grace_days),
                "broadcast": timedelta(hours=settings.broadcast_grace_hours),
            },
            survey_months=tuple(int(m) for m in parse_days(settings.survey_months)),
            batch_size=settings.reminder_batch_size,
            channel=settings.reminder_channel,
        )

    def offsets_for(self, program: str) -> tuple[int, ...]:
        """Repayment reminder offsets in days for ``program`` (its own, or the default)."""
        return self.repayment_days_by_program.get(program, self.repayment_days)

    def grace_for(self, kind: str) -> timedelta:
        """How late a reminder of ``kind`` may still go out; after that it is skipped."""
        family = "repayment" if kind in REPAYMENT_KINDS else kind
        return self.grace.get(family, DEFAULT_GRACE.get(family, timedelta(days=1)))

    def local_moment(self, day: date, at: time | None = None) -> datetime:
        """``day`` at ``at`` (the send time by default) local, in UTC."""
        return datetime.combine(day, at or self.send_time, tzinfo=self.zone).astimezone(UTC)

    def effective(self, moment: datetime) -> datetime:
        """When a message scheduled at ``moment`` may go: after quiet hours, never before."""
        return self.quiet.next_allowed(moment, self.zone)

    def today(self, now: datetime) -> date:
        """The local date at ``now``."""
        return now.astimezone(self.zone).date()


def policy_of(session: AsyncSession, zone: ZoneInfo | None = None) -> ReminderPolicy:
    """The policy attached to ``session`` by the runtime, or the defaults in ``zone``."""
    found = session.info.get(SESSION_KEY)
    if isinstance(found, ReminderPolicy):
        return found
    return ReminderPolicy(zone=zone) if zone is not None else ReminderPolicy()
