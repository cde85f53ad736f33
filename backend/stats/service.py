"""Figures per program: the funnel (:mod:`backend.stats.funnel`), open cases, and how long
people wait for a first answer from staff."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import Case
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.stats.funnel import STAGES, funnel


@dataclass
class Figures:
    """One program's figures, or (``program`` None) everything one may see."""

    program: str | None
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    open_cases: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def median_first_response_seconds(self) -> float | None:
        """The median wait for a first staff answer, over answered cases."""
        return float(statistics.median(self.waits)) if self.waits else None


async def figures(
    session: AsyncSession, *, principal: Principal, programs: list[str]
) -> tuple[list[Figures], Figures]:
    """Per program the principal may see (among ``programs``), and the overall figures."""
    mine = [p for p in programs if principal.sees(p)]
    per_program = {p: Figures(p) for p in mine}
    counts = await funnel(session)
    for code, stages in counts.items():
        if code in per_program:
            per_program[code].stages.update(stages)
    overall = Figures(None)
    rows = await session.execute(
        select(Case.program, Case.status, Case.opened_at, Case.first_response_at).where(
            visible(principal, Case.program)
        )
    )
    for program, status, opened_at, first_response_at in rows:
        targets = [overall] + ([per_program[program]] if program in per_program else [])
        for target in targets:
            if status == "open":
                target.open_cases += 1
            if first_response_at is not None:
                target.waits.append((first_response_at - opened_at).total_seconds())
    for each in per_program.values():
        for stage in STAGES:
            overall.stages[stage] += each.stages[stage]
    return list(per_program.values()), overall
