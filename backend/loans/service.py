"""Loans and the revolving funds they come from: schedules, repayments, status, balances.

Repayments are kept as received; each installment's ``paid_minor`` is re-derived from their
total (oldest installment first), so an overpayment carries to the next installment and the
figures never drift from the money actually recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.db.claim import lock_for_write
from backend.db.pending import reading
from backend.loans.models import Fund, Installment, Loan, Repayment
from backend.loans.money import to_major
from backend.loans.schedule import (
    Frequency,
    InstallmentState,
    LoanStatus,
    allocate,
    build_schedule,
    loan_status,
)
from backend.people.models import Beneficiary
from backend.reminders.planning import cancel_reminders, plan_loan_reminders
from backend.reminders.policy import ReminderPolicy
from conversations.ports import PaymentView


class LoanError(ValueError):
    """A loan or repayment that cannot be recorded as given."""


@dataclass(frozen=True)
class LoanTerms:
    """What staff give to open a loan (amounts already in minor units)."""

    beneficiary_id: int
    program: str
    currency: str
    principal_minor: int
    installments: int
    frequency: Frequency
    first_due_date: date
    grace_periods: int = 0


async def accepted_programs(session: AsyncSession, *, beneficiary_id: int) -> list[str]:
    """The programmes that accepted the person, most recently decided first: a loan is
    opened only in one of them."""
    rows = await session.scalars(
        select(Application.program)
        .where(Application.beneficiary_id == beneficiary_id, Application.status == "accepted")
        .order_by(Application.updated_at.desc())
    )
    return list(dict.fromkeys(rows))


async def create_loan(
    session: AsyncSession,
    *,
    terms: LoanTerms,
    staff_id: int | None,
    policy: ReminderPolicy,
    now: datetime,
) -> Loan:
    """Open a loan, build its schedule and plan its reminders; the fund pays it out."""
    if await session.get(Beneficiary, terms.beneficiary_id) is None:
        raise LoanError("no such beneficiary")
    try:
        plan = build_schedule(
            principal_minor=terms.principal_minor,
            installments=terms.installments,
            frequency=terms.frequency,
            first_due_date=terms.first_due_date,
            grace_periods=terms.grace_periods,
        )
    except ValueError as exc:
        raise LoanError(str(exc)) from exc
    loan = Loan(
        program=terms.program,
        beneficiary_id=terms.beneficiary_id,
        currency=terms.currency,
        principal_minor=terms.principal_minor,
        installments=terms.installments,
        frequency=terms.frequency.value,
        first_due_date=terms.first_due_date,
        grace_periods=terms.grace_periods,
        status="active",
        staff_id=staff_id,
        created_at=now,
    )
    session.add(loan)
    await session.flush()
    rows = [
        Installment(
            loan_id=loan.id,
            number=p.number,
            due_on=p.due_on,
            amount_minor=p.amount_minor,
            paid_minor=0,
        )
        for p in plan
    ]
    session.add_all(rows)
    await session.flush()
    await plan_loan_reminders(session, loan=loan, installments=rows, policy=policy, now=now)
    return loan


async def schedule_of(session: AsyncSession, loan_id: int) -> list[Installment]:
    """A loan's installments in order."""
    rows = await session.scalars(
        select(Installment).where(Installment.loan_id == loan_id).order_by(Installment.number)
    )
    return list(rows)


async def record_repayment(
    session: AsyncSession,
    *,
    loan_id: int,
    amount_minor: int,
    paid_on: date,
    staff_id: int | None,
    now: datetime,
) -> Repayment:
    """Record money received; installments it completes lose their pending reminders.

    A repayment larger than what is still owed is refused: the fund keeps no credit.
    """
    loan = await lock_for_write(session, Loan, loan_id)
    if loan is None:
        raise LoanError("no such loan")
    installments = await schedule_of(session, loan.id)
    outstanding = sum(i.amount_minor - i.paid_minor for i in installments)
    if amount_minor <= 0:
        raise LoanError("the amount must be positive")
    if amount_minor > outstanding:
        raise LoanError(
            f"the amount is more than the {to_major(outstanding, loan.currency)} "
            f"{loan.currency} still owed"
        )
    repayment = Repayment(
        loan_id=loan.id,
        amount_minor=amount_minor,
        paid_on=paid_on,
        staff_id=staff_id,
        created_at=now,
    )
    session.add(repayment)
    total = sum(i.paid_minor for i in installments) + amount_minor
    paid, _ = allocate([i.amount_minor for i in installments], total)
    completed = []
    for installment, share in zip(installments, paid, strict=True):
        if share == installment.amount_minor and installment.paid_minor < share:
            installment.paid_on = paid_on
            completed.append(installment.id)
        installment.paid_minor = share
    if all(i.paid_minor == i.amount_minor for i in installments):
        loan.status = "repaid"
    await session.flush()
    await cancel_reminders(session, reason="paid", now=now, installment_ids=completed)
    return repayment


def state_is(state: str, today: date) -> ColumnElement[bool]:
    """A clause true for loans in ``state`` (``on_time``, ``late`` or ``repaid``) today: late
    is an active loan with an installment past due and not fully paid."""
    if state == "repaid":
        return Loan.status == "repaid"
    behind = exists().where(
        Installment.loan_id == Loan.id,
        Installment.paid_minor < Installment.amount_minor,
        Installment.due_on < today,
    )
    return (Loan.status == "active") & (behind if state == "late" else ~behind)


def status_of(installments: list[Installment], today: date) -> LoanStatus:
    """The loan's status from its installments."""
    return loan_status(
        [InstallmentState(i.due_on, i.amount_minor, i.paid_minor) for i in installments], today
    )


async def next_payment(
    session: AsyncSession, *, beneficiary_id: int, today: date
) -> PaymentView | None:
    """The person's earliest installment with money still owed, over all their loans."""
    found = (
        await session.execute(
            select(Installment, Loan.currency)
            .join(Loan, Loan.id == Installment.loan_id)
            .where(
                Loan.beneficiary_id == beneficiary_id,
                Installment.paid_minor < Installment.amount_minor,
            )
            .order_by(Installment.due_on, Installment.id)
            .limit(1),
            execution_options=reading(session, Installment, Loan),
        )
    ).first()
    if found is None:
        return None
    installment, currency = found
    return PaymentView(
        amount_minor=installment.amount_minor - installment.paid_minor,
        currency=currency,
        due_on=installment.due_on,
        days_late=max(0, (today - installment.due_on).days),
    )


@dataclass(frozen=True)
class FundView:
    """A program's revolving fund in one currency, in minor units."""

    program: str
    currency: str
    initial_capital_minor: int
    disbursed_minor: int
    repaid_minor: int
    loans: int

    @property
    def balance_minor(self) -> int:
        """What the fund holds: capital, less loans paid out, plus repayments back in."""
        return self.initial_capital_minor - self.disbursed_minor + self.repaid_minor

    @property
    def outstanding_minor(self) -> int:
        """What borrowers still owe the fund."""
        return self.disbursed_minor - self.repaid_minor


async def funds(session: AsyncSession, *, programs: list[str] | None = None) -> list[FundView]:
    """Every fund (or those of ``programs``): each with capital, loans out, repayments in."""
    disbursed = select(
        Loan.program,
        Loan.currency,
        func.sum(Loan.principal_minor).label("disbursed"),
        func.count(Loan.id).label("loans"),
    ).group_by(Loan.program, Loan.currency)
    repaid = (
        select(Loan.program, Loan.currency, func.sum(Repayment.amount_minor).label("repaid"))
        .join(Loan, Loan.id == Repayment.loan_id)
        .group_by(Loan.program, Loan.currency)
    )
    figures: dict[tuple[str, str], dict[str, int]] = {}
    for row in await session.execute(disbursed):
        figures.setdefault((row.program, row.currency), {}).update(
            disbursed=int(row.disbursed or 0), loans=int(row.loans)
        )
    for back in await session.execute(repaid):
        figures.setdefault((back.program, back.currency), {})["repaid"] = int(back.repaid or 0)
    for fund in await session.scalars(select(Fund)):
        figures.setdefault((fund.program, fund.currency), {})["capital"] = (
            fund.initial_capital_minor
        )
    return [
        FundView(
            program=program,
            currency=currency,
            initial_capital_minor=values.get("capital", 0),
            disbursed_minor=values.get("disbursed", 0),
            repaid_minor=values.get("repaid", 0),
            loans=values.get("loans", 0),
        )
        for (program, currency), values in sorted(figures.items())
        if programs is None or program in programs
    ]


async def set_capital(
    session: AsyncSession, *, program: str, currency: str, capital_minor: int, now: datetime
) -> None:
    """Set a fund's starting capital (created on first use)."""
    fund = await session.get(Fund, (program, currency))
    if fund is None:
        session.add(
            Fund(
                program=program,
                currency=currency,
                initial_capital_minor=capital_minor,
                updated_at=now,
            )
        )
    else:
        fund.initial_capital_minor, fund.updated_at = capital_minor, now
    await session.flush()
