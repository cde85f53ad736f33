"""Statistics for the programs one works on."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentStaff
from backend.api.errors import responses
from backend.app.deps import RuntimeDep, SessionDep
from backend.stats.schemas import ProgramStats, StatsRead
from backend.stats.service import Figures, figures

router = APIRouter(tags=["statistics"])


def _program(each: Figures) -> ProgramStats:
    return ProgramStats.model_validate(
        {
            "program": each.program,
            **each.stages,
            "open_cases": each.open_cases,
            "median_first_response_seconds": each.median_first_response_seconds,
        }
    )


@router.get("/stats", response_model=StatsRead, responses=responses(401))
async def stats(session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff) -> StatsRead:
    """Per program: people who started, finished the profile, were eligible, applied and were
    accepted; open cases; and the median time to a first staff answer, in seconds."""
    programs, overall = await figures(
        session, principal=principal, programs=list(runtime.content.programs)
    )
    return StatsRead(
        programs=[_program(each) for each in programs],
        open_cases=overall.open_cases,
        median_first_response_seconds=overall.median_first_response_seconds,
    )
