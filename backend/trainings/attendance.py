"""Attendance at training sessions: staff mark each enrolled person present, absent or
excused, once per session (marking again replaces the mark), and the dashboard counts them.

Only people enrolled in the session can be marked; a cancelled session takes no marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.trainings.models import Attendance, Enrollment, Training

STATUSES = ("present", "absent", "excused")


class AttendanceError(ValueError):
    """Marks that cannot be recorded: ``reason`` is ``cancelled`` or ``not_enrolled``."""

    def __init__(self, reason: str, beneficiary_id: int | None = None) -> None:
        detail = f" (person {beneficiary_id})" if beneficiary_id is not None else ""
        super().__init__(f"cannot mark attendance: {reason.replace('_', ' ')}{detail}")
        self.reason = reason
        self.beneficiary_id = beneficiary_id


@dataclass(frozen=True)
class Mark:
    """One person's attendance at one session."""

    beneficiary_id: int
    status: str


async def marks_of(session: AsyncSession, training_id: int) -> dict[int, Attendance]:
    """The session's marks by person (unlinked marks of erased people left out)."""
    rows = await session.scalars(
        select(Attendance).where(
            Attendance.training_id == training_id, Attendance.beneficiary_id.is_not(None)
        )
    )
    return {row.beneficiary_id: row for row in rows if row.beneficiary_id is not None}


async def mark_attendance(
    session: AsyncSession,
    *,
    training: Training,
    marks: Sequence[Mark],
    staff_id: int | None,
    now: datetime,
) -> list[Attendance]:
    """Record the marks (all or none); returns the session's marks for those people."""
    if training.status == "cancelled":
        raise AttendanceError("cancelled")
    enrolled = set(
        await session.scalars(
            select(Enrollment.beneficiary_id).where(
                Enrollment.training_id == training.id, Enrollment.status == "enrolled"
            )
        )
    )
    for mark in marks:
        if mark.status not in STATUSES:
            raise ValueError(f"unknown attendance status {mark.status!r}")
        if mark.beneficiary_id not in enrolled:
            raise AttendanceError("not_enrolled", mark.beneficiary_id)
    existing = await marks_of(session, training.id)
    result = []
    for mark in marks:
        row = existing.get(mark.beneficiary_id)
        if row is None:
            row = Attendance(training_id=training.id, beneficiary_id=mark.beneficiary_id)
            session.add(row)
            existing[mark.beneficiary_id] = row
        row.status, row.staff_id, row.marked_at = mark.status, staff_id, now
        result.append(row)
    await session.flush()
    return result


@dataclass(frozen=True)
class AttendanceFigures:
    """A programme's attendance: sessions with marks, people enrolled, marks by status."""

    program: str
    sessions: int
    enrolled: int
    present: int
    absent: int
    excused: int

    @property
    def rate(self) -> float | None:
        """Present over everyone marked, or ``None`` before any mark."""
        marked = self.present + self.absent + self.excused
        return self.present / marked if marked else None


async def attendance_figures(
    session: AsyncSession, *, programs: Sequence[str]
) -> list[AttendanceFigures]:
    """Per programme among ``programs``: marks counted, erased people's included."""

    def count(status: str) -> Any:
        return func.sum(case((Attendance.status == status, 1), else_=0))

    marks = await session.execute(
        select(
            Training.program,
            func.count(func.distinct(Attendance.training_id)),
            count("present"),
            count("absent"),
            count("excused"),
        )
        .select_from(Attendance)
        .join(Training, Training.id == Attendance.training_id)
        .where(Training.program.in_(list(programs)))
        .group_by(Training.program)
    )
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in marks}
    enrolments = await session.execute(
        select(Training.program, func.count(Enrollment.id))
        .select_from(Enrollment)
        .join(Training, Training.id == Enrollment.training_id)
        .where(Training.program.in_(list(programs)), Enrollment.status == "enrolled")
        .group_by(Training.program)
    )
    enrolled = {program: int(number) for program, number in enrolments}
    figures = []
    for program in programs:
        sessions, present, absent, excused = found.get(program, [0, 0, 0, 0])
        figures.append(
            AttendanceFigures(
                program=program,
                sessions=sessions,
                enrolled=int(enrolled.get(program, 0)),
                present=present,
                absent=absent,
                excused=excused,
            )
        )
    return figures
