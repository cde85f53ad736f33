"""Loans, repayments and revolving funds. Amounts go in and out in major units as exact
decimal strings (``"1500.250"`` TND), with the integer minor units beside them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from backend.api.schemas import Id, Input, Output, ProgramCode
from backend.loans.money import AmountError, to_minor

Currency = Literal["TND", "EUR", "XAF", "XOF", "MZN"]
Amount = Annotated[
    Decimal,
    Field(
        gt=0,
        allow_inf_nan=False,
        description='In major units, as a string or a number: `"1500.250"`. No more '
        "decimals than the currency has (TND 3, EUR 2, XOF 0).",
        examples=["1500.250"],
    ),
]
LoanState = Literal["on_time", "late", "repaid"]


class LoanCreate(Input):
    """A loan to open; the schedule is built from these terms."""

    beneficiary_id: Id
    program: ProgramCode | None = Field(
        default=None, description="Default: the program of the person's accepted application."
    )
    principal: Amount
    currency: Currency = "TND"
    installments: int = Field(ge=1, le=360)
    frequency: Literal["weekly", "monthly"] = "monthly"
    first_due_date: date = Field(description="The first due date, before any grace period.")
    grace_periods: int = Field(
        default=0, ge=0, le=24, description="Whole periods (weeks or months) to defer it by."
    )

    @model_validator(mode="after")
    def _exact_principal(self) -> LoanCreate:
        try:
            minor = to_minor(self.principal, self.currency)
        except AmountError as exc:
            raise ValueError(f"principal: {exc}") from exc
        if minor < self.installments:
            raise ValueError("principal: too small for that many installments")
        return self

    @property
    def principal_minor(self) -> int:
        """The principal in minor units (checked exact by the validator)."""
        return to_minor(self.principal, self.currency)


class RepaymentCreate(Input):
    """Money received for a loan."""

    amount: Amount
    paid_on: date


class FundUpdate(Input):
    """A fund's starting capital, in major units (0 or more)."""

    initial_capital: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class InstallmentRead(Output):
    """One line of the schedule."""

    number: int
    due_on: date
    amount: str
    amount_minor: int
    paid_minor: int
    owed_minor: int
    paid_on: date | None
    status: Literal["paid", "partial", "due", "late"]


class RepaymentRead(Output):
    """A repayment as recorded."""

    id: int
    amount: str
    amount_minor: int
    paid_on: date
    created_at: datetime


class LoanRead(Output):
    """A loan with its status; the detail adds the schedule and the repayments."""

    id: int
    program: str
    beneficiary_id: int | None
    currency: str
    principal: str
    principal_minor: int
    installments: int
    frequency: str
    first_due_date: date
    grace_periods: int
    status: LoanState
    days_late: int
    outstanding: str
    outstanding_minor: int
    created_at: datetime


class LoanDetail(LoanRead):
    """A loan, its schedule and its repayments."""

    schedule: list[InstallmentRead]
    repayments: list[RepaymentRead]


class FundRead(Output):
    """A program's revolving fund in one currency: capital - loans out + repayments in."""

    program: str
    currency: str
    initial_capital: str
    disbursed: str
    repaid: str
    balance: str
    outstanding: str
    balance_minor: int
    loans: int
