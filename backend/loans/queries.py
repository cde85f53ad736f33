"""Reading loans as staff see them: lists, a loan's repayments, a person's loans."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.paging import page_of
from backend.loans.models import Installment, Loan, Repayment
from backend.staff.scope import visible
from backend.staff.service import Principal


async def find_loans(
    session: AsyncSession,
    *,
    principal: Principal,
    program: str | None,
    beneficiary_id: int | None,
    state: str | None,
    today: date,
    limit: int,
    offset: int,
) -> tuple[list[Loan], int]:
    """Loans in the principal's programs, newest first; ``late`` means an installment is
    past due and not fully paid."""
    query = select(Loan).where(visible(principal, Loan.program))
    if program:
        query = query.where(Loan.program == program)
    if beneficiary_id:
        query = query.where(Loan.beneficiary_id == beneficiary_id)
    if state is not None:
        behind = exists().where(
            Installment.loan_id == Loan.id,
            Installment.paid_minor < Installment.amount_minor,
            Installment.due_on < today,
        )
        query = query.where(
            Loan.status == "repaid"
            if state == "repaid"
            else (Loan.status == "active") & (behind if state == "late" else ~behind)
        )
    return await page_of(session, query, order_by=(Loan.id.desc(),), limit=limit, offset=offset)


async def repayments_of(session: AsyncSession, loan_id: int) -> list[Repayment]:
    """A loan's repayments, in the order they were recorded."""
    rows = await session.scalars(
        select(Repayment).where(Repayment.loan_id == loan_id).order_by(Repayment.id)
    )
    return list(rows)


async def loans_of(
    session: AsyncSession, *, principal: Principal, beneficiary_id: int
) -> list[dict[str, Any]]:
    """The person's loans in one's programs, without their schedule (see ``GET /loans/{id}``)."""
    rows = await session.scalars(
        select(Loan)
        .where(Loan.beneficiary_id == beneficiary_id, visible(principal, Loan.program))
        .order_by(Loan.id)
    )
    return [
        {
            "id": loan.id,
            "program": loan.program,
            "currency": loan.currency,
            "principal_minor": loan.principal_minor,
            "installments": loan.installments,
            "frequency": loan.frequency,
            "status": loan.status,
        }
        for loan in rows
    ]
