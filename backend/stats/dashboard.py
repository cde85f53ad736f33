"""The dashboard's figures: the funnel from first contact to acceptance per programme, and the
follow-up indicators broken down by gender, age band and place.

The funnel builds on :func:`backend.stats.service.figures` (profiled, eligible, applied,
accepted, open cases, first-response time) and adds its first two stages: *contacted*, anyone
counted at any stage of the programme, and *consented*, those of them who gave their consent.
Erased people's steps are unlinked, so they count by the stage where most of them were; a
later stage never shows more people than an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.models import Beneficiary
from backend.staff.service import Principal
from backend.stats.models import FunnelStep
from backend.stats.service import Figures, figures
from backend.surveys.models import Survey
from backend.surveys.service import Indicators, summarise

FUNNEL = ("contacted", "consented", "profiled", "eligible", "applied", "accepted")
#: The later stages, from the funnel steps the bot records.
FROM_STEPS = {"profiled": "profile_done", "eligible": "eligible", "applied": "submitted"}
AGE_BANDS = ((0, 17, "0-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"))
Dimension = Literal["gender", "age_band", "place"]
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ProgramFunnel:
    """One programme's funnel, open cases and median first-response time."""

    program: str
    stages: dict[str, int]
    open_cases: int
    median_first_response_seconds: float | None


async def funnels(
    session: AsyncSession, *, principal: Principal, programs: Sequence[str]
) -> tuple[list[ProgramFunnel], Figures]:
    """Per programme the principal may see, and the overall figures (open cases, median)."""
    per_program, overall = await figures(session, principal=principal, programs=list(programs))
    mine = [each.program for each in per_program if each.program is not None]
    linked = await session.execute(
        select(
            FunnelStep.program,
            func.count(func.distinct(FunnelStep.beneficiary_id)),
            func.count(func.distinct(Beneficiary.id)),
        )
        .outerjoin(
            Beneficiary,
            (Beneficiary.id == FunnelStep.beneficiary_id) & Beneficiary.consent_at.is_not(None),
        )
        .where(FunnelStep.program.in_(mine), FunnelStep.beneficiary_id.is_not(None))
        .group_by(FunnelStep.program)
    )
    people = {program: (int(a), int(c)) for program, a, c in linked}
    erased = await session.execute(
        select(FunnelStep.program, FunnelStep.stage, func.count())
        .where(FunnelStep.program.in_(mine), FunnelStep.beneficiary_id.is_(None))
        .group_by(FunnelStep.program, FunnelStep.stage)
    )
    unlinked: dict[str, int] = {}
    for program, _stage, count in erased:
        unlinked[program] = max(unlinked.get(program, 0), int(count))
    result = []
    for each in per_program:
        code = str(each.program)
        stages = {name: each.stages.get(step, 0) for name, step in FROM_STEPS.items()}
        stages["accepted"] = each.stages.get("accepted", 0)
        contacted, consented = people.get(code, (0, 0))
        stages["consented"] = max(consented + unlinked.get(code, 0), stages["profiled"])
        stages["contacted"] = max(contacted + unlinked.get(code, 0), stages["consented"])
        result.append(
            ProgramFunnel(
                program=code,
                stages={name: stages[name] for name in FUNNEL},
                open_cases=each.open_cases,
                median_first_response_seconds=each.median_first_response_seconds,
            )
        )
    return result, overall


def age_band(age: Any) -> str:
    """``"25-34"`` for 30; :data:`UNKNOWN` when no age was given."""
    if isinstance(age, bool) or not isinstance(age, int | float | str):
        return UNKNOWN
    try:
        years = int(age)
    except ValueError:
        return UNKNOWN
    for low, high, name in AGE_BANDS:
        if low <= years <= high:
            return name
    return "50+"


def group_of(profile: dict[str, Any] | None, dimension: Dimension) -> str:
    """The group a person falls in along ``dimension``; erased people are :data:`UNKNOWN`."""
    profile = profile or {}
    if dimension == "age_band":
        return age_band(profile.get("age"))
    if dimension == "gender":
        return str(profile.get("gender") or UNKNOWN)
    return str(profile.get("governorate") or profile.get("country") or UNKNOWN)


async def indicators_by(
    session: AsyncSession, *, programs: Sequence[str], dimension: Dimension
) -> list[Indicators]:
    """The follow-up indicators of ``programs`` together, one row per group (its name in
    ``program``), largest group first."""
    rows = await session.execute(
        select(Survey.status, Survey.answers, Beneficiary.profile)
        .outerjoin(Beneficiary, Beneficiary.id == Survey.beneficiary_id)
        .where(Survey.program.in_(list(programs)), Survey.status.in_(("sent", "answered")))
    )
    grouped: dict[str, list[tuple[str, dict[str, Any] | None]]] = {}
    for status, answers, profile in rows:
        grouped.setdefault(group_of(profile, dimension), []).append((status, answers))
    found = [summarise(name, items) for name, items in grouped.items()]
    return sorted(found, key=lambda each: (-each.surveys_sent, each.program))
