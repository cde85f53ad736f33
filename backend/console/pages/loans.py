"""Loans and funds: each programme's revolving fund and its chart, the loans (on time, late by
how many days, repaid), opening a loan for an accepted application, its schedule, and
recording a repayment.

The services are the API's (:mod:`backend.loans.service`): a loan is opened only in a
programme that accepted the person (:func:`~backend.loans.service.accepted_programs`), by a
supervisor or an admin; another programme's loan or application is a 404; every read, list,
creation and repayment is audited as through the API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.applications.models import Application
from backend.console.auth import ConsoleAdmin, ConsoleStaff, ConsoleSupervisor
from backend.console.loan_views import (
    accepted_without_loan,
    fund_cards,
    installment_rows,
    loan_rows,
    names_of,
)
from backend.console.pages.forms import day, runtime_of, translator_of, whole
from backend.console.pages.not_found import console_not_found
from backend.console.render import render
from backend.loans import service as loans
from backend.loans.models import Loan, Repayment
from backend.loans.money import AmountError, to_minor
from backend.loans.schedule import Frequency
from backend.reminders.policy import policy_of
from backend.staff.audit import record
from backend.staff.scope import visible
from backend.staff.service import Principal

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
STATES = ("on_time", "late", "repaid")
PAGE = 50


def _today(request: Request) -> date:
    runtime = runtime_of(request)
    return runtime.clock().astimezone(runtime.settings.zone).date()


async def _loan(session: AsyncSession, principal: Principal, loan_id: int) -> Loan:
    loan = await session.get(Loan, loan_id)
    if loan is None or not principal.sees(loan.program):
        raise console_not_found()
    return loan


@router.get("/loans", response_class=HTMLResponse)
async def loans_page(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    state: Annotated[str | None, Query(alias="status", max_length=10)] = None,
    capital_error: Annotated[str | None, Query(alias="error", max_length=10)] = None,
) -> HTMLResponse:
    """The funds with their charts, accepted applications awaiting a loan, and the loans."""
    runtime, today = runtime_of(request), _today(request)
    chosen = state if state in STATES else None
    query = select(Loan).where(visible(principal, Loan.program))
    if chosen:
        query = query.where(loans.state_is(chosen, today))
    rows = list(await session.scalars(query.order_by(Loan.id.desc()).limit(PAGE)))
    shown = await loan_rows(session, rows, today)
    cards = await fund_cards(
        session, principal, translator_of(request), today, runtime.settings.zone
    )
    waiting = await accepted_without_loan(session, principal)
    now = runtime.clock()
    for kind in ("loan", "fund"):
        await record(
            session, staff_id=principal.id, action="list", object_type=kind, object_id=None, at=now
        )
    await session.commit()
    return render(
        request,
        "loans/list.html",
        section="loans",
        rows=shown,
        state=chosen,
        states=STATES,
        funds=cards,
        waiting=waiting,
        can_open=principal.role in ("admin", "supervisor"),
        capital_programs=sorted(runtime.content.programs) if principal.is_admin else [],
        capital_currencies=sorted(
            {c for program in runtime.content.programs.values() for c in program.currencies()}
        ),
        capital_error=capital_error,
    )


async def _application(session: AsyncSession, principal: Principal, app_id: int) -> Application:
    """An accepted application of one's programmes, or 404."""
    found = await session.get(Application, app_id)
    if found is None or not principal.sees(found.program) or found.beneficiary_id is None:
        raise console_not_found()
    return found


async def _form(
    request: Request, session: AsyncSession, application: Application, *, error: str | None = None
) -> HTMLResponse:
    currency = runtime_of(request).content.programs[application.program].currency
    names = await names_of(session, [application.beneficiary_id or 0])
    return render(
        request,
        "loans/new.html",
        status_code=200 if error is None else 422,
        section="loans",
        application=application,
        name=names.get(application.beneficiary_id or 0),
        currency=currency,
        error=error,
        today=_today(request),
    )


@router.get("/loans/new", response_class=HTMLResponse)
async def new_loan(
    request: Request,
    session: SessionDep,
    principal: ConsoleSupervisor,
    application: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> HTMLResponse:
    """The form to open a loan for an accepted application."""
    return await _form(request, session, await _application(session, principal, application))


@router.post("/loans", response_model=None)
async def create_loan(
    request: Request,
    session: SessionDep,
    principal: ConsoleSupervisor,
    application_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    principal_amount: Annotated[str, Form(alias="principal", max_length=30)],
    installments: Annotated[str, Form(max_length=4)],
    frequency: Annotated[str, Form(max_length=10)],
    first_due_date: Annotated[str, Form(max_length=10)],
    grace_periods: Annotated[str, Form(max_length=3)] = "0",
) -> Response:
    """Open the loan, in the application's programme and currency; show its schedule."""
    runtime = runtime_of(request)
    application = await _application(session, principal, application_id)
    person = application.beneficiary_id or 0
    if application.program not in await loans.accepted_programs(session, beneficiary_id=person):
        return await _form(request, session, application, error="not_accepted")
    currency = runtime.content.programs[application.program].currency
    count, grace, first = (
        whole(installments, high=360),
        whole(grace_periods, low=0, high=24),
        day(first_due_date),
    )
    if count is None or grace is None or first is None or frequency not in ("weekly", "monthly"):
        return await _form(request, session, application, error="terms")
    try:
        amount = to_minor(principal_amount.replace(",", ".").replace(" ", ""), currency)
        now = runtime.clock()
        loan = await loans.create_loan(
            session,
            terms=loans.LoanTerms(
                beneficiary_id=person,
                program=application.program,
                currency=currency,
                principal_minor=amount,
                installments=count,
                frequency=Frequency(frequency),
                first_due_date=first,
                grace_periods=grace,
            ),
            staff_id=principal.id,
            policy=policy_of(session, runtime.settings.zone),
            now=now,
        )
    except (AmountError, loans.LoanError):
        await session.rollback()
        return await _form(request, session, application, error="amount")
    await record(
        session,
        staff_id=principal.id,
        action="create",
        object_type="loan",
        object_id=loan.id,
        at=now,
    )
    await session.commit()
    return RedirectResponse(f"/console/loans/{loan.id}", status.HTTP_303_SEE_OTHER)


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
async def loan_page(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    loan_id: Id,
    error: str | None = None,
) -> HTMLResponse:
    """A loan: its state, its schedule, the repayments and the form to record one."""
    loan = await _loan(session, principal, loan_id)
    today = _today(request)
    (row,) = await loan_rows(session, [loan], today)
    schedule = installment_rows(await loans.schedule_of(session, loan.id), today)
    repayments = list(
        await session.scalars(
            select(Repayment).where(Repayment.loan_id == loan.id).order_by(Repayment.id)
        )
    )
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="loan",
        object_id=loan.id,
        at=runtime_of(request).clock(),
    )
    await session.commit()
    return render(
        request,
        "loans/detail.html",
        section="loans",
        row=row,
        loan=loan,
        schedule=schedule,
        repayments=repayments,
        error=error if error in ("amount", "date") else None,
        today=today,
    )


@router.post("/loans/{loan_id}/repayments", response_model=None)
async def add_repayment(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    loan_id: Id,
    amount: Annotated[str, Form(max_length=30)],
    paid_on: Annotated[str, Form(max_length=10)],
) -> RedirectResponse:
    """Record money received; it pays the oldest installment first."""
    loan = await _loan(session, principal, loan_id)
    back = f"/console/loans/{loan.id}"
    paid = day(paid_on)
    if paid is None or paid > _today(request):
        return RedirectResponse(f"{back}?error=date", status.HTTP_303_SEE_OTHER)
    now = runtime_of(request).clock()
    try:
        await loans.record_repayment(
            session,
            loan_id=loan.id,
            amount_minor=to_minor(amount.replace(",", ".").replace(" ", ""), loan.currency),
            paid_on=paid,
            staff_id=principal.id,
            now=now,
        )
    except (AmountError, loans.LoanError):
        await session.rollback()
        return RedirectResponse(f"{back}?error=amount", status.HTTP_303_SEE_OTHER)
    await record(
        session,
        staff_id=principal.id,
        action="repay",
        object_type="loan",
        object_id=loan.id,
        at=now,
    )
    await session.commit()
    return RedirectResponse(back, status.HTTP_303_SEE_OTHER)


@router.post("/funds", response_model=None)
async def set_capital(
    request: Request,
    session: SessionDep,
    principal: ConsoleAdmin,
    program: Annotated[str, Form(max_length=40)],
    capital: Annotated[str, Form(max_length=30)],
    currency: Annotated[str | None, Form(max_length=3)] = None,
) -> RedirectResponse:
    """Set a programme's fund capital, in its currency (admins, as in the API)."""
    runtime = runtime_of(request)
    if program not in runtime.content.programs:
        raise console_not_found()
    # A programme may deal in several currencies (ESSOR: one per country), one fund each.
    known = runtime.content.programs[program].currencies()
    currency = currency or known[0]
    if currency not in known:
        return RedirectResponse("/console/loans?error=currency", status.HTTP_303_SEE_OTHER)
    given = capital.replace(",", ".").replace(" ", "")
    try:
        minor = 0 if given in ("0", "0.0", "0.00", "0.000") else to_minor(given, currency)
    except AmountError:
        return RedirectResponse("/console/loans?error=capital", status.HTTP_303_SEE_OTHER)
    now = runtime.clock()
    await loans.set_capital(
        session, program=program, currency=currency, capital_minor=minor, now=now
    )
    await record(
        session,
        staff_id=principal.id,
        action="update",
        object_type="fund",
        object_id=program,
        at=now,
    )
    await session.commit()
    return RedirectResponse("/console/loans", status.HTTP_303_SEE_OTHER)
