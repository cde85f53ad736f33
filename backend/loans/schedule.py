"""Repayment schedules, repayment allocation and loan status.

Definitions (also in the README):

* Installment ``k`` (from 0) falls ``grace_periods + k`` periods after ``first_due_date``.
  ``first_due_date`` is the first due date without grace; ``grace_periods`` whole weeks or
  months (the loan's frequency) push the whole schedule back.
* Monthly dates keep the anchor day and clamp to the month's end: Jan 31 -> Feb 28 (29 in a
  leap year) -> Mar 31. Each date is computed from the anchor, never from the previous date.
* Repayments pay the oldest installment first; what is left is carried to the next one.
* A loan is ``late`` when its oldest unpaid installment is past due, by that many days.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from backend.loans.money import split_evenly

MAX_INSTALLMENTS = 360


class Frequency(StrEnum):
    """How often an installment falls due."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class PlannedInstallment:
    """One line of a schedule."""

    number: int
    due_on: date
    amount_minor: int


@dataclass(frozen=True)
class InstallmentState:
    """What the status calculation needs to know about an installment."""

    due_on: date
    amount_minor: int
    paid_minor: int

    @property
    def owed_minor(self) -> int:
        """What is still to pay on it."""
        return self.amount_minor - self.paid_minor


@dataclass(frozen=True)
class LoanStatus:
    """``on_time``, ``late`` (with the days since the oldest unpaid due date) or ``repaid``."""

    state: Literal["on_time", "late", "repaid"]
    days_late: int
    outstanding_minor: int


def add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by ``months``, clamped to the end of a shorter month."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def due_date(first_due_date: date, frequency: Frequency, periods: int) -> date:
    """The date ``periods`` periods after ``first_due_date``."""
    if frequency is Frequency.WEEKLY:
        return first_due_date + timedelta(weeks=periods)
    return add_months(first_due_date, periods)


def build_schedule(
    *,
    principal_minor: int,
    installments: int,
    frequency: Frequency,
    first_due_date: date,
    grace_periods: int = 0,
) -> list[PlannedInstallment]:
    """The installments of a loan: equal amounts (to the minor unit) summing to the principal."""
    if not 1 <= installments <= MAX_INSTALLMENTS:
        raise ValueError(f"installments must be between 1 and {MAX_INSTALLMENTS}")
    if grace_periods < 0:
        raise ValueError("grace_periods cannot be negative")
    if principal_minor < installments:
        raise ValueError("the principal is smaller than one minor unit per installment")
    amounts = split_evenly(principal_minor, installments)
    return [
        PlannedInstallment(
            number=index + 1,
            due_on=due_date(first_due_date, frequency, grace_periods + index),
            amount_minor=amount,
        )
        for index, amount in enumerate(amounts)
    ]


def allocate(amounts: Sequence[int], paid_total: int) -> tuple[list[int], int]:
    """Spread ``paid_total`` over installments oldest first.

    Returns what each installment has received and what is left over once all are paid;
    ``sum(paid) + leftover == paid_total`` always.
    """
    if paid_total < 0:
        raise ValueError("a payment cannot be negative")
    left = paid_total
    paid = []
    for amount in amounts:
        share = min(amount, left)
        paid.append(share)
        left -= share
    return paid, left


def loan_status(installments: Sequence[InstallmentState], today: date) -> LoanStatus:
    """The loan's status on ``today`` (the deployment's local date)."""
    outstanding = sum(i.owed_minor for i in installments)
    unpaid = sorted((i for i in installments if i.owed_minor > 0), key=lambda i: i.due_on)
    if not unpaid:
        return LoanStatus("repaid", 0, 0)
    oldest = unpaid[0]
    if oldest.due_on < today:
        return LoanStatus("late", (today - oldest.due_on).days, outstanding)
    return LoanStatus("on_time", 0, outstanding)
