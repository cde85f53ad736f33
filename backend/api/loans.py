"""Loans, repayments and the revolving funds they come from and flow back to."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, Admin, CurrentStaff, PagingDep, Supervisor
from backend.api.errors import not_found, responses, unprocessable
from backend.api.followup_common import audit, check_person, check_program
from backend.api.schemas.common import Page, ProgramCode
from backend.api.schemas.loans import (
    Currency,
    FundRead,
    FundUpdate,
    InstallmentRead,
    LoanCreate,
    LoanDetail,
    LoanRead,
    LoanState,
    RepaymentCreate,
    RepaymentRead,
)
from backend.app.deps import RuntimeDep, SessionDep
from backend.db.models_followup import Installment, Loan, Repayment
from backend.loans.money import AmountError, to_major, to_minor
from backend.loans.schedule import Frequency
from backend.reminders.policy import policy_of
from backend.runtime import Runtime
from backend.services import loans
from backend.services.scope import visible
from backend.services.staff import Principal

router = APIRouter(tags=["loans"])
LoanId = Annotated[int, Path(ge=1, le=MAX_ID, description="The loan's id.")]


async def _loan(session: AsyncSession, principal: Principal, loan_id: int) -> Loan:
    """The loan, or 404 when unknown or outside the principal's programs."""
    loan = await session.get(Loan, loan_id)
    if loan is None or not principal.sees(loan.program):
        raise not_found("loan")
    return loan


def _installment(row: Installment, currency: str, today: date) -> InstallmentRead:
    owed = row.amount_minor - row.paid_minor
    state: Literal["paid", "partial", "due", "late"] = (
        "paid" if owed == 0 else "partial" if row.paid_minor else "due"
    )
    if owed and row.due_on < today:
        state = "late"
    return InstallmentRead(
        number=row.number,
        due_on=row.due_on,
        amount=to_major(row.amount_minor, currency),
        amount_minor=row.amount_minor,
        paid_minor=row.paid_minor,
        owed_minor=owed,
        paid_on=row.paid_on,
        status=state,
    )


async def _read(session: AsyncSession, runtime: Runtime, loan: Loan) -> LoanDetail:
    today = runtime.clock().astimezone(runtime.settings.zone).date()
    schedule = await loans.schedule_of(session, loan.id)
    state = loans.status_of(schedule, today)
    repayments = await session.scalars(
        select(Repayment).where(Repayment.loan_id == loan.id).order_by(Repayment.id)
    )
    return LoanDetail(
        id=loan.id,
        program=loan.program,
        beneficiary_id=loan.beneficiary_id,
        currency=loan.currency,
        principal=to_major(loan.principal_minor, loan.currency),
        principal_minor=loan.principal_minor,
        installments=loan.installments,
        frequency=loan.frequency,
        first_due_date=loan.first_due_date,
        grace_periods=loan.grace_periods,
        status=state.state,
        days_late=state.days_late,
        outstanding=to_major(state.outstanding_minor, loan.currency),
        outstanding_minor=state.outstanding_minor,
        created_at=loan.created_at,
        schedule=[_installment(i, loan.currency, today) for i in schedule],
        repayments=[
            RepaymentRead(
                id=r.id,
                amount=to_major(r.amount_minor, loan.currency),
                amount_minor=r.amount_minor,
                paid_on=r.paid_on,
                created_at=r.created_at,
            )
            for r in repayments
        ],
    )


@router.post(
    "/loans",
    status_code=status.HTTP_201_CREATED,
    response_model=LoanDetail,
    responses=responses(401, 403, 404),
)
async def create_loan(
    body: LoanCreate, session: SessionDep, runtime: RuntimeDep, principal: Supervisor
) -> LoanDetail:
    """Open a loan for someone accepted in the program; returns its schedule. The fund pays
    the principal out, and the person is reminded before, on and after each due date."""
    await check_person(session, principal, body.beneficiary_id)
    programs = await loans.accepted_programs(session, beneficiary_id=body.beneficiary_id)
    program = body.program or (programs[0] if programs else None)
    if program is None or program not in programs:
        raise unprocessable(["body", "program"], "the person has no accepted application here")
    check_program(runtime, principal, program)
    now = runtime.clock()
    loan = await loans.create_loan(
        session,
        terms=loans.LoanTerms(
            beneficiary_id=body.beneficiary_id,
            program=program,
            currency=body.currency,
            principal_minor=body.principal_minor,
            installments=body.installments,
            frequency=Frequency(body.frequency),
            first_due_date=body.first_due_date,
            grace_periods=body.grace_periods,
        ),
        staff_id=principal.id,
        policy=policy_of(session, runtime.settings.zone),
        now=now,
    )
    await audit(session, principal, action="create", object_type="loan", object_id=loan.id, at=now)
    detail = await _read(session, runtime, loan)
    await session.commit()
    return detail


@router.get("/loans", response_model=Page[LoanRead], responses=responses(401))
async def list_loans(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    paging: PagingDep,
    program: ProgramCode | None = None,
    state: Annotated[LoanState | None, Query(alias="status")] = None,
    beneficiary_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[LoanRead]:
    """Loans in your programs, newest first; ``status=late`` lists those behind."""
    query = select(Loan).where(visible(principal, Loan.program))
    if program:
        query = query.where(Loan.program == program)
    if beneficiary_id:
        query = query.where(Loan.beneficiary_id == beneficiary_id)
    if state is not None:
        today = runtime.clock().astimezone(runtime.settings.zone).date()
        query = query.where(loans.state_is(state, today))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Loan.id.desc()).limit(paging.limit).offset(paging.offset)
    )
    items = [await _read(session, runtime, loan) for loan in rows]
    await audit(
        session, principal, action="list", object_type="loan", object_id=None, at=runtime.clock()
    )
    await session.commit()
    return Page(
        items=[LoanRead.model_validate(i.model_dump()) for i in items], total=int(total or 0)
    )


@router.get("/loans/{loan_id}", response_model=LoanDetail, responses=responses(401, 404))
async def read_loan(
    loan_id: LoanId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> LoanDetail:
    """A loan: its schedule, what is paid, its status (on time, or late by how many days)."""
    loan = await _loan(session, principal, loan_id)
    detail = await _read(session, runtime, loan)
    await audit(
        session,
        principal,
        action="read",
        object_type="loan",
        object_id=loan.id,
        at=runtime.clock(),
    )
    await session.commit()
    return detail


@router.post(
    "/loans/{loan_id}/repayments",
    status_code=status.HTTP_201_CREATED,
    response_model=LoanDetail,
    responses=responses(401, 404),
)
async def add_repayment(
    loan_id: LoanId,
    body: RepaymentCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> LoanDetail:
    """Record money received: it pays the oldest installment first and carries any excess to
    the next. Installments it completes get no more reminders."""
    loan = await _loan(session, principal, loan_id)
    now = runtime.clock()
    if body.paid_on > now.astimezone(runtime.settings.zone).date():
        raise unprocessable(["body", "paid_on"], "a repayment cannot be in the future")
    try:
        amount = to_minor(body.amount, loan.currency)
        await loans.record_repayment(
            session,
            loan_id=loan.id,
            amount_minor=amount,
            paid_on=body.paid_on,
            staff_id=principal.id,
            now=now,
        )
    except (AmountError, loans.LoanError) as exc:
        raise unprocessable(["body", "amount"], str(exc)) from exc
    await audit(session, principal, action="repay", object_type="loan", object_id=loan.id, at=now)
    detail = await _read(session, runtime, loan)
    await session.commit()
    return detail


def _fund(view: loans.FundView) -> FundRead:
    def major(minor: int) -> str:
        return to_major(minor, view.currency)

    return FundRead(
        program=view.program,
        currency=view.currency,
        initial_capital=major(view.initial_capital_minor),
        disbursed=major(view.disbursed_minor),
        repaid=major(view.repaid_minor),
        balance=major(view.balance_minor),
        outstanding=major(view.outstanding_minor),
        balance_minor=view.balance_minor,
        loans=view.loans,
    )


@router.get("/funds", response_model=Page[FundRead], responses=responses(401))
async def list_funds(
    session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> Page[FundRead]:
    """The revolving fund of each of your programs: starting capital, loans paid out,
    repayments back in, and the balance."""
    mine = None if principal.is_admin else sorted(principal.programs)
    found = [_fund(f) for f in await loans.funds(session, programs=mine)]
    await audit(
        session, principal, action="list", object_type="fund", object_id=None, at=runtime.clock()
    )
    await session.commit()
    return Page(items=found, total=len(found))


@router.put(
    "/funds/{program}/{currency}",
    response_model=FundRead,
    responses=responses(401, 403, 404),
)
async def set_fund(
    program: Annotated[ProgramCode, Path(description="The program's code.")],
    currency: Annotated[Currency, Path(description="The fund's currency.")],
    body: FundUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Admin,
) -> FundRead:
    """Set a fund's starting capital (admins)."""
    check_program(runtime, principal, program)
    try:
        capital = 0 if body.initial_capital == 0 else to_minor(body.initial_capital, currency)
    except AmountError as exc:
        raise unprocessable(["body", "initial_capital"], str(exc)) from exc
    now = runtime.clock()
    await loans.set_capital(
        session, program=program, currency=currency, capital_minor=capital, now=now
    )
    await audit(session, principal, action="update", object_type="fund", object_id=program, at=now)
    await session.commit()
    found = [f for f in await loans.funds(session, programs=[program]) if f.currency == currency]
    return _fund(found[0])
