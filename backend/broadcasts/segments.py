"""How many people a broadcast's segment reaches, counted before it is sent, by the same rule
its expansion follows (:mod:`backend.broadcasts.service`): the database criteria, then
governorate and country from the profile, less those who typed stop or cannot be reached."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.broadcasts.service import matches_profile, segment_where, skip_reason, values_of
from backend.people.models import Beneficiary
from backend.staff.service import Principal
from backend.trainings.models import Training

PROFILE_KEYS = ("governorate", "country")
BATCH = 5000


async def hidden_part(
    session: AsyncSession,
    principal: Principal,
    segment: dict[str, Any],
    *,
    programs: Collection[str],
) -> str | None:
    """What of the segment the principal may not use (``"program"`` or ``"training"``, to
    answer as not found), or ``None``. No programme means all of them: supervisors and
    admins only."""
    program = segment.get("program")
    if program is not None:
        if program not in programs or not principal.sees(program):
            return "program"
    elif not principal.sees(None):
        return "program"
    trainings = [int(t) for t in values_of(segment, "training")]
    if trainings:
        found = list(
            await session.scalars(select(Training.program).where(Training.id.in_(trainings)))
        )
        if len(found) != len(set(trainings)) or not all(principal.sees(p) for p in found):
            return "training"
    return None


@dataclass(frozen=True)
class Reach:
    """People matching a segment, and how many of them would be sent the message."""

    matching: int
    reachable: int

    @property
    def skipped(self) -> int:
        """Matching people who would be recorded as skipped (stop, unreachable)."""
        return self.matching - self.reachable


async def count_segment(session: AsyncSession, segment: dict[str, Any]) -> Reach:
    """Count the segment now; a broadcast sent later may reach a few more or fewer."""
    if not any(values_of(segment, key) for key in PROFILE_KEYS):
        counts = await session.execute(
            segment_where(
                select(Beneficiary.reminders_opt_out, Beneficiary.unreachable, func.count()),
                segment,
            ).group_by(Beneficiary.reminders_opt_out, Beneficiary.unreachable)
        )
        matching = reachable = 0
        for opted_out, unreachable, count in counts:
            matching += count
            reachable += count if skip_reason(opted_out, unreachable) is None else 0
        return Reach(matching, reachable)
    # Governorate and country live in the profile's JSON: read it in batches, as expansion does.
    matching = reachable = after = 0
    while True:
        rows = (
            await session.execute(
                segment_where(
                    select(
                        Beneficiary.id,
                        Beneficiary.profile,
                        Beneficiary.reminders_opt_out,
                        Beneficiary.unreachable,
                    ).where(Beneficiary.id > after),
                    segment,
                )
                .order_by(Beneficiary.id)
                .limit(BATCH)
            )
        ).all()
        for person_id, profile, opted_out, unreachable in rows:
            after = person_id
            if matches_profile(segment, profile or {}):
                matching += 1
                reachable += skip_reason(opted_out, unreachable) is None
        if len(rows) < BATCH:
            return Reach(matching, reachable)
