"""Money and schedules: exact sums, month ends, leap years, allocation that conserves money."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.loans.money import AmountError, split_evenly, to_major, to_minor
from backend.loans.schedule import (
    Frequency,
    InstallmentState,
    add_months,
    allocate,
    build_schedule,
    loan_status,
)

amounts = st.integers(min_value=1, max_value=10**12)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=1, max_value=120)
frequencies = st.sampled_from(list(Frequency))


@given(total=st.integers(min_value=0, max_value=10**12), parts=counts)
def test_split_sums_exactly_and_parts_differ_by_at_most_one(total: int, parts: int) -> None:
    split = split_evenly(total, parts)
    assert sum(split) == total and len(split) == parts
    assert max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True), "the remainder goes to the first parts"


@given(
    principal=amounts, count=counts, first=dates, frequency=frequencies, grace=st.integers(0, 12)
)
def test_schedule_sums_to_the_principal_with_increasing_dates(
    principal: int, count: int, first: date, frequency: Frequency, grace: int
) -> None:
    if principal < count:
        with pytest.raises(ValueError, match="smaller"):
            build_schedule(
                principal_minor=principal,
                installments=count,
                frequency=frequency,
                first_due_date=first,
            )
        return
    plan = build_schedule(
        principal_minor=principal,
        installments=count,
        frequency=frequency,
        first_due_date=first,
        grace_periods=grace,
    )
    assert sum(p.amount_minor for p in plan) == principal
    assert [p.number for p in plan] == list(range(1, count + 1))
    due = [p.due_on for p in plan]
    assert all(a < b for a, b in itertools.pairwise(due)), "strictly increasing"
    assert due[0] >= first
    if frequency is Frequency.WEEKLY:
        assert due[0] == first + timedelta(weeks=grace)
        assert all((b - a).days == 7 for a, b in itertools.pairwise(due))
    else:
        assert due[0] == add_months(first, grace)


@given(anchor=dates, months=st.integers(min_value=-240, max_value=240))
def test_months_keep_the_anchor_day_or_clamp_to_the_month_end(anchor: date, months: int) -> None:
    moved = add_months(anchor, months)
    assert (moved.year * 12 + moved.month) - (anchor.year * 12 + anchor.month) == months
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(anchor.day, last)


def test_the_31st_goes_to_the_end_of_february_and_back_to_the_31st() -> None:
    plan = build_schedule(
        principal_minor=4_000,
        installments=4,
        frequency=Frequency.MONTHLY,
        first_due_date=date(2028, 1, 31),
    )
    assert [p.due_on for p in plan] == [
        date(2028, 1, 31),
        date(2028, 2, 29),  # 2028 is a leap year
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2100, 1, 29), 1) == date(2100, 2, 28), "2100 is not a leap year"
    assert add_months(date(2000, 1, 29), 1) == date(2000, 2, 29), "2000 was a leap year"
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_grace_periods_push_the_whole_schedule_back() -> None:
    plan = build_schedule(
        principal_minor=1_000_000,
        installments=3,
        frequency=Frequency.MONTHLY,
        first_due_date=date(2026, 12, 15),
        grace_periods=2,
    )
    assert [p.due_on for p in plan] == [date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15)]
    assert [p.amount_minor for p in plan] == [333_334, 333_333, 333_333]


@given(
    installments=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60),
    payments=st.lists(st.integers(min_value=0, max_value=10**9), max_size=20),
)
def test_allocation_conserves_money_and_pays_oldest_first(
    installments: list[int], payments: list[int]
) -> None:
    total = sum(payments)
    paid, leftover = allocate(installments, total)
    assert sum(paid) + leftover == total
    assert all(0 <= p <= a for p, a in zip(paid, installments, strict=True))
    # Oldest first: once an installment is not fully paid, nothing after it got anything.
    partial = next(
        (i for i, (p, a) in enumerate(zip(paid, installments, strict=False)) if p < a), None
    )
    if partial is not None:
        assert all(p == 0 for p in paid[partial + 1 :])
        assert leftover == 0
    # Paying in several steps, each carried forward, ends where paying the sum at once does.
    state, extra = [0] * len(installments), 0
    for payment in payments:
        left = payment
        for index, amount in enumerate(installments):
            take = min(amount - state[index], left)
            state[index] += take
            left -= take
        extra += left
    assert (state, extra) == (paid, leftover)


def test_an_overpayment_is_carried_to_the_next_installment() -> None:
    assert allocate([100, 100, 100], 150) == ([100, 50, 0], 0)
    assert allocate([100, 100, 100], 350) == ([100, 100, 100], 50)


def test_status_is_late_by_the_days_since_the_oldest_unpaid_due_date() -> None:
    schedule = [
        InstallmentState(date(2026, 1, 31), 100, 100),
        InstallmentState(date(2026, 2, 28), 100, 40),
        InstallmentState(date(2026, 3, 31), 100, 0),
    ]
    assert loan_status(schedule, date(2026, 2, 28)).state == "on_time"
    late = loan_status(schedule, date(2026, 3, 10))
    assert (late.state, late.days_late, late.outstanding_minor) == ("late", 10, 160)
    paid = [InstallmentState(s.due_on, s.amount_minor, s.amount_minor) for s in schedule]
    assert loan_status(paid, date(2030, 1, 1)).state == "repaid"


@given(
    minor=st.integers(min_value=1, max_value=10**15),
    currency=st.sampled_from(["TND", "EUR", "XOF"]),
)
def test_major_and_minor_units_round_trip_exactly(minor: int, currency: str) -> None:
    assert to_minor(to_major(minor, currency), currency) == minor
    assert to_minor(Decimal(to_major(minor, currency)), currency) == minor


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("1500.250", "TND", 1_500_250),
        ("1500.25", "TND", 1_500_250),
        (1500, "TND", 1_500_000),
        ("12.5", "EUR", 1250),
        ("12.50", "EUR", 1250),
        ("25000", "XOF", 25000),
        ("0.001", "TND", 1),
        ("10.5000", "TND", 10_500),
    ],
)
def test_amounts_convert_exactly(value: str | int, currency: str, expected: int) -> None:
    assert to_minor(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("1.0001", "TND"),
        ("12.345", "EUR"),
        ("0.5", "XOF"),
        ("0", "TND"),
        ("-3", "TND"),
        ("abc", "TND"),
        ("NaN", "TND"),
        ("Infinity", "EUR"),
        (1.5, "TND"),
        ("1", "USD"),
    ],
)
def test_wrong_amounts_are_refused(value: object, currency: str) -> None:
    with pytest.raises(AmountError):
        to_minor(value, currency)  # type: ignore[arg-type]
