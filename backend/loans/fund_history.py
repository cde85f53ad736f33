"""A revolving fund month by month: what it has paid out and got back by the end of each
month, and what was available then. The starting capital has no history (staff set one
figure), so every month shows today's; the flows come from the loans and repayments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.loans.models import Fund, Loan, Repayment


@dataclass(frozen=True)
class FundPoint:
    """The fund at the end of one month (``period`` is ``YYYY-MM``), in minor units."""

    period: str
    capital_minor: int
    paid_out_minor: int
    paid_back_minor: int

    @property
    def available_minor(self) -> int:
        """Capital, less loans paid out, plus repayments back in."""
        return self.capital_minor - self.paid_out_minor + self.paid_back_minor


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    """The ``count`` months up to and including ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


async def fund_history(
    session: AsyncSession,
    *,
    program: str,
    currency: str,
    today: date,
    zone: ZoneInfo,
    months: int = 12,
) -> list[FundPoint]:
    """The last ``months`` months of one fund, oldest first."""
    fund = await session.get(Fund, (program, currency))
    capital = fund.initial_capital_minor if fund is not None else 0
    loans = await session.execute(
        select(Loan.created_at, Loan.principal_minor).where(
            Loan.program == program, Loan.currency == currency
        )
    )
    out = [(created.astimezone(zone).date(), amount) for created, amount in loans]
    repaid = await session.execute(
        select(Repayment.paid_on, Repayment.amount_minor)
        .join(Loan, Loan.id == Repayment.loan_id)
        .where(Loan.program == program, Loan.currency == currency)
    )
    back = [(day, amount) for day, amount in repaid]
    points = []
    for year, month0 in months_back(today, months):
        month = month0 + 1

        def by_end(day: date, y: int = year, m: int = month) -> bool:
            return (day.year, day.month) <= (y, m)

        points.append(
            FundPoint(
                period=f"{year:04d}-{month:02d}",
                capital_minor=capital,
                paid_out_minor=sum(amount for day, amount in out if by_end(day)),
                paid_back_minor=sum(amount for day, amount in back if by_end(day)),
            )
        )
    return points
