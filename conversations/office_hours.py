"""Office hours: when staff answer, so the bot can say when a person will hear back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPEC = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class OfficeHours:
    """Opening days (0 = Monday) and hours, in the deployment's local time."""

    days: frozenset[int]
    opens: time
    closes: time

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """Read ``mon-fri 08:30-17:00`` (or ``sat 09:00-12:00``)."""
        match = _SPEC.match(spec.lower())
        if (
            not match
            or match["first"] not in _DAYS
            or (match["last"] and match["last"] not in _DAYS)
        ):
            raise ValueError(f"office hours must look like 'mon-fri 08:30-17:00', not {spec!r}")
        first = _DAYS.index(match["first"])
        last = _DAYS.index(match["last"] or match["first"])
        days = (
            frozenset(range(first, last + 1))
            if first <= last
            else frozenset([*range(first, 7), *range(0, last + 1)])
        )
        opens, closes = (
            time.fromisoformat(match["opens"].zfill(5)),
            time.fromisoformat(match["closes"].zfill(5)),
        )
        if opens >= closes:
            raise ValueError(f"office hours close before they open: {spec!r}")
        return cls(days, opens, closes)

    def is_open(self, local: datetime) -> bool:
        """Whether staff are at work at this local time."""
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, local: datetime) -> datetime:
        """The next time staff start work, strictly after ``local`` when closed now."""
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, self.opens, tzinfo=local.tzinfo)
            if day.weekday() in self.days and start > local:
                return start
        raise ValueError("office hours have no opening day")
