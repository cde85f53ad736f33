"""The follow-up indicators per program."""

from __future__ import annotations

from backend.api.schemas import Output


class IndicatorRead(Output):
    """A program's follow-up figures from the surveys (revenue in TND minor units)."""

    program: str
    surveys_sent: int
    responses: int
    jobs_created: int
    monthly_revenue_median_minor: int | None
    trainings_attended: int
    satisfaction_average: float | None
