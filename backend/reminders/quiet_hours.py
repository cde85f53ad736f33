"""Quiet hours: no scheduled message between, by default, 21:00 and 08:00 local time.

A message due in quiet hours is postponed to the end of them, never dropped. Times are
local to the deployment's zone (``MASSAR_TIMEZONE``); daylight saving is handled by zoneinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo


def parse_clock(value: str) -> time:
    """``"08:00"`` -> ``time(8, 0)``; a clear error otherwise."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"'{value}' is not a time such as 08:00") from None


@dataclass(frozen=True)
class QuietHours:
    """A daily window, ``start`` included and ``end`` excluded; it may span midnight.

    ``start == end`` means no quiet hours at all.
    """

    start: time
    end: time

    @classmethod
    def parse(cls, value: str) -> QuietHours:
        """``"21:00-08:00"``; ``"off"`` or an empty value switch quiet hours off."""
        if value.strip().lower() in ("", "off", "none"):
            return cls(time(0), time(0))
        try:
            start, end = value.split("-")
        except ValueError:
            raise ValueError(f"'{value}' is not a window such as 21:00-08:00") from None
        return cls(parse_clock(start), parse_clock(end))

    @property
    def enabled(self) -> bool:
        """Whether there is a window at all."""
        return self.start != self.end

    def is_quiet(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether ``moment`` (aware) falls in the window, in ``zone``'s local time."""
        if not self.enabled:
            return False
        local = moment.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: tzinfo) -> datetime:
        """``moment`` itself outside the window, else the window's end, in UTC."""
        if not self.is_quiet(moment, zone):
            return moment.astimezone(UTC)
        local = moment.astimezone(zone)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        end = datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)
        if self.is_quiet(end, zone):  # the end fell in a daylight-saving gap: step past it
            end += timedelta(hours=1)
        return end

    def last_allowed_before(self, moment: datetime, zone: tzinfo) -> datetime:
        """``moment`` outside the window, else one minute before the window began, in UTC.

        For a message that must not go late (a session's reminder) rather than early.
        """
        if not self.is_quiet(moment, zone):
            return moment.astimezone(UTC)
        local = moment.astimezone(zone)
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) < self.end:
            day -= timedelta(days=1)
        start = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        return start - timedelta(minutes=1)
