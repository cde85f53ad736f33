"""The follow-up indicators per program."""

from __future__ import annotations

from backend.api.schemas import Output


class IndicatorRead(Output):
    """A program's follow-up figures from the surveys (revenue in minor units of
    ``monthly_revenue_currency``; per currency when a program's answers use several)."""

    program: str
    surveys_sent: int
    responses: int
    jobs_created: int
    monthly_revenue_median_minor: int | None
    monthly_revenue_currency: str | None
    monthly_revenue_median_by_currency: dict[str, int]
    trainings_attended: int
    satisfaction_average: float | None
