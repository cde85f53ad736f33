"""Quiet hours postpone, never drop, in every zone the programs work in, with or without DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.reminders.quiet_hours import QuietHours

ZONES = [
    "Africa/Tunis",
    "Africa/Ndjamena",
    "Africa/Maputo",
    "Africa/Bissau",
    "UTC",
    "Europe/Paris",  # daylight saving: staff abroad, and the DST gap/overlap cases
    "America/Sao_Paulo",
    "Africa/Casablanca",  # moves its clocks around Ramadan
]
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
windows = st.sampled_from(["21:00-08:00", "22:30-06:15", "13:00-15:00", "00:00-07:00", "off"])


@given(moment=moments, zone=st.sampled_from(ZONES), window=windows)
def test_postponing_never_goes_back_never_lands_in_quiet_hours_and_waits_less_than_a_day(
    moment: datetime, zone: str, window: str
) -> None:
    quiet, tz = QuietHours.parse(window), ZoneInfo(zone)
    allowed = quiet.next_allowed(moment, tz)
    assert allowed >= moment
    assert not quiet.is_quiet(allowed, tz)
    assert allowed - moment <= timedelta(hours=25)
    if not quiet.is_quiet(moment, tz):
        assert allowed == moment
    else:
        local = allowed.astimezone(tz).replace(tzinfo=None)
        ends = {quiet.end, (datetime.combine(local.date(), quiet.end) + timedelta(hours=1)).time()}
        assert local.time() in ends, "the end of the window (an hour on past a DST gap)"


@given(moment=moments, zone=st.sampled_from(ZONES), window=windows)
def test_pulling_earlier_lands_before_the_window(moment: datetime, zone: str, window: str) -> None:
    quiet, tz = QuietHours.parse(window), ZoneInfo(zone)
    earlier = quiet.last_allowed_before(moment, tz)
    assert earlier <= moment
    assert not quiet.is_quiet(earlier, tz)
    assert moment - earlier <= timedelta(hours=25)


@pytest.mark.parametrize(
    ("zone", "utc_hour", "quiet", "local_end_utc_hour"),
    [
        ("Africa/Tunis", 20, True, 7),  # 21:00 local (UTC+1) -> 08:00 local = 07:00 UTC
        ("Africa/Tunis", 19, False, None),  # 20:00 local
        ("Africa/Ndjamena", 6, True, 7),  # UTC+1: 07:00 local, quiet until 08:00
        ("Africa/Maputo", 6, False, None),  # UTC+2: 08:00 local exactly, not quiet
        ("Africa/Maputo", 5, True, 6),  # 07:59 -> 08:00 local = 06:00 UTC
        ("Africa/Bissau", 7, True, 8),  # UTC+0: 07:00 local
        ("UTC", 23, True, 8),
    ],
)
def test_default_window_in_african_zones(
    zone: str, utc_hour: int, quiet: bool, local_end_utc_hour: int | None
) -> None:
    window, tz = QuietHours.parse("21:00-08:00"), ZoneInfo(zone)
    minute = 59 if (zone, utc_hour) == ("Africa/Maputo", 5) else 0
    moment = datetime(2026, 11, 23, utc_hour, minute, tzinfo=UTC)
    assert window.is_quiet(moment, tz) is quiet
    allowed = window.next_allowed(moment, tz)
    if quiet:
        assert allowed.hour == local_end_utc_hour and allowed.minute == 0
        assert allowed.astimezone(tz).time() == time(8, 0)
        assert allowed > moment
    else:
        assert allowed == moment


def test_a_reminder_at_three_in_the_morning_waits_for_eight() -> None:
    tunis = ZoneInfo("Africa/Tunis")
    three = datetime(2026, 12, 1, 3, 0, tzinfo=tunis)
    allowed = QuietHours.parse("21:00-08:00").next_allowed(three, tunis)
    assert allowed.astimezone(tunis) == datetime(2026, 12, 1, 8, 0, tzinfo=tunis)
    late_evening = datetime(2026, 12, 1, 22, 15, tzinfo=tunis)
    assert QuietHours.parse("21:00-08:00").next_allowed(late_evening, tunis).astimezone(
        tunis
    ) == datetime(2026, 12, 2, 8, 0, tzinfo=tunis)


def test_daylight_saving_day_keeps_eight_local() -> None:
    paris = ZoneInfo("Europe/Paris")
    # 2027-03-28: clocks go from 02:00 to 03:00.
    night = datetime(2027, 3, 28, 1, 30, tzinfo=paris)
    allowed = QuietHours.parse("21:00-08:00").next_allowed(night, paris)
    assert allowed.astimezone(paris).replace(tzinfo=None) == datetime(2027, 3, 28, 8, 0)
    # A window ending inside the gap still ends at a real, non-quiet moment.
    gap = QuietHours.parse("01:00-02:30")
    allowed = gap.next_allowed(datetime(2027, 3, 28, 1, 15, tzinfo=paris), paris)
    assert not gap.is_quiet(allowed, paris)


@pytest.mark.parametrize("value", ["21:00", "25:00-08:00", "nine-ten", "21:00-08:00-09:00"])
def test_a_wrong_window_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(value)
