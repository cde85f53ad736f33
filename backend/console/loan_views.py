"""What the loans pages show: each loan's state (on time, late by so many days, repaid), each
installment's, the accepted applications still without a loan, and each revolving fund with
its chart over the last twelve months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.console.charts import Series, line_chart
from backend.console.views import display_name, typed_names
from backend.loans import service as loans
from backend.loans.fund_history import FundPoint, fund_history
from backend.loans.models import Installment, Loan
from backend.loans.money import decimals_of
from backend.people.models import Beneficiary
from backend.staff.scope import visible
from backend.staff.service import Principal
from conversations.i18n import Translator


@dataclass(frozen=True)
class LoanRow:
    """A loan in a list or at the top of its page."""

    loan: Loan
    name: str | None
    state: str
    days_late: int
    outstanding_minor: int


@dataclass(frozen=True)
class InstallmentRow:
    """One line of the schedule and its state: ``paid``, ``partial``, ``due`` or ``late``."""

    installment: Installment
    owed_minor: int
    state: str


async def names_of(session: AsyncSession, person_ids: list[int]) -> dict[int, str | None]:
    """The name to show for each person: typed in an application, else their channel's."""
    typed = await typed_names(session, person_ids)
    people = {
        p.id: p
        for p in await session.scalars(select(Beneficiary).where(Beneficiary.id.in_(person_ids)))
    }
    return {i: display_name(typed.get(i), people.get(i)) for i in person_ids}


async def loan_rows(session: AsyncSession, rows: list[Loan], today: date) -> list[LoanRow]:
    """The loans with their state, computed from their schedules as the API does."""
    names = await names_of(session, [r.beneficiary_id for r in rows if r.beneficiary_id])
    found = []
    for loan in rows:
        status = loans.status_of(await loans.schedule_of(session, loan.id), today)
        found.append(
            LoanRow(
                loan=loan,
                name=names.get(loan.beneficiary_id) if loan.beneficiary_id else None,
                state=status.state,
                days_late=status.days_late,
                outstanding_minor=status.outstanding_minor,
            )
        )
    return found


def installment_rows(schedule: list[Installment], today: date) -> list[InstallmentRow]:
    """Each installment's state, as the API's schedule gives it."""
    rows = []
    for item in schedule:
        owed = item.amount_minor - item.paid_minor
        state = "paid" if owed == 0 else "partial" if item.paid_minor else "due"
        if owed and item.due_on < today:
            state = "late"
        rows.append(InstallmentRow(item, owed, state))
    return rows


async def accepted_without_loan(
    session: AsyncSession, principal: Principal, limit: int = 20
) -> list[tuple[Application, str | None]]:
    """Accepted applications of one's programmes whose person has no loan there yet."""
    has_loan = exists().where(
        Loan.beneficiary_id == Application.beneficiary_id, Loan.program == Application.program
    )
    rows = list(
        await session.scalars(
            select(Application)
            .where(
                Application.status == "accepted",
                Application.beneficiary_id.is_not(None),
                visible(principal, Application.program),
                ~has_loan,
            )
            .order_by(Application.updated_at.desc())
            .limit(limit)
        )
    )
    names = await names_of(session, [a.beneficiary_id for a in rows if a.beneficiary_id])
    return [(a, names.get(a.beneficiary_id) if a.beneficiary_id else None) for a in rows]


@dataclass(frozen=True)
class FundCard:
    """A fund's figures and its chart."""

    fund: loans.FundView
    chart: Markup


def major(minor: int, currency: str) -> float:
    """Minor units as a plain number of major units, for a chart's scale."""
    return float(Decimal(minor).scaleb(-decimals_of(currency)))


async def fund_cards(
    session: AsyncSession, principal: Principal, tr: Translator, today: date, zone: ZoneInfo
) -> list[FundCard]:
    """Every fund of one's programmes, with capital, paid out, paid back and available over
    the last twelve months."""
    mine = None if principal.is_admin else sorted(principal.programs)
    cards = []
    for fund in await loans.funds(session, programs=mine):
        points = await fund_history(
            session, program=fund.program, currency=fund.currency, today=today, zone=zone
        )

        def values(
            attribute: str, found: list[FundPoint] = points, currency: str = fund.currency
        ) -> list[float]:
            return [major(getattr(p, attribute), currency) for p in found]

        chart = line_chart(
            title=tr.gettext("Revolving fund over time") + f" · {fund.program} ({fund.currency})",
            description=tr.gettext(
                "Capital, paid out, paid back and available at the end of each month."
            ),
            categories=[p.period for p in points],
            series=[
                Series(tr.gettext("Available"), values("available_minor")),
                Series(tr.gettext("Paid out"), values("paid_out_minor")),
                Series(tr.gettext("Paid back"), values("paid_back_minor")),
                Series(tr.gettext("Capital"), values("capital_minor")),
            ],
            chart_id=f"fund-{fund.program}-{fund.currency}",
            rtl=tr.direction == "rtl",
            fmt=tr.number,
        )
        cards.append(FundCard(fund, chart))
    return cards
