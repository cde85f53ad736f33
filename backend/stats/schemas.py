"""Figures for a program team."""

from __future__ import annotations

from backend.api.schemas import Output


class ProgramStats(Output):
    """The funnel of one program (people per stage), its open cases and response time."""

    program: str
    started: int
    profile_done: int
    eligible: int
    submitted: int
    accepted: int
    open_cases: int
    median_first_response_seconds: float | None


class StatsRead(Output):
    """Per program, and over everything one may see (general cases included)."""

    programs: list[ProgramStats]
    open_cases: int
    median_first_response_seconds: float | None
