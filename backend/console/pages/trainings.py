"""Trainings: sessions with their capacity, enrolling a person (by their application's
reference or their number), and attendance marked per session: present, absent or excused.

The services are the API's (:mod:`backend.trainings.service`, :mod:`~.attendance`); another
programme's session or person is a 404; creating, reading, listing, enrolling and marking are
audited as through the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.app.deps import SessionDep
from backend.applications.models import Application
from backend.console.auth import ConsoleStaff
from backend.console.loan_views import names_of
from backend.console.pages.forms import runtime_of, whole
from backend.console.pages.not_found import console_not_found
from backend.console.render import render
from backend.people.queries import sees_person
from backend.reminders.policy import policy_of
from backend.staff.audit import record
from backend.staff.scope import visible
from backend.staff.service import Principal
from backend.trainings import attendance
from backend.trainings import service as trainings
from backend.trainings.models import Enrollment, Training

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def _training(session: AsyncSession, principal: Principal, training_id: int) -> Training:
    training = await session.get(Training, training_id)
    if training is None or not principal.sees(training.program):
        raise console_not_found()
    return training


def _back(training_id: int, flag: str | None = None) -> RedirectResponse:
    suffix = f"?{flag}" if flag else ""
    return RedirectResponse(f"/console/trainings/{training_id}{suffix}", status.HTTP_303_SEE_OTHER)


@router.get("/trainings", response_class=HTMLResponse)
async def trainings_page(
    request: Request, session: SessionDep, principal: ConsoleStaff, error: str | None = None
) -> HTMLResponse:
    """Sessions of one's programmes, soonest first, with their seats; the form to add one."""
    runtime = runtime_of(request)
    rows = list(
        await session.scalars(
            select(Training)
            .where(visible(principal, Training.program))
            .order_by(Training.starts_at.desc(), Training.id)
            .limit(100)
        )
    )
    seats = {t.id: await trainings.enrolled_count(session, t.id) for t in rows}
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="training",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return render(
        request,
        "trainings/list.html",
        section="trainings",
        rows=rows,
        enrolled=seats,
        programs=[p for p in sorted(runtime.content.programs) if principal.sees(p)],
        error=error == "form",
    )


@router.post("/trainings", response_model=None)
async def create(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    program: Annotated[str, Form(max_length=40)],
    title: Annotated[str, Form(max_length=200)],
    location: Annotated[str, Form(max_length=200)],
    starts_at: Annotated[str, Form(max_length=20)],
    capacity: Annotated[str, Form(max_length=6)] = "",
) -> RedirectResponse:
    """Schedule a session in one of one's programmes."""
    runtime = runtime_of(request)
    if program not in runtime.content.programs or not principal.sees(program):
        raise console_not_found()
    try:
        start = datetime.fromisoformat(starts_at).replace(tzinfo=runtime.settings.zone)
    except ValueError:
        start = None
    seats = whole(capacity, high=100_000) if capacity.strip() else None
    if (
        start is None
        or not title.strip()
        or not location.strip()
        or (capacity.strip() and not seats)
    ):
        return RedirectResponse("/console/trainings?error=form", status.HTTP_303_SEE_OTHER)
    now = runtime.clock()
    training = await trainings.create_training(
        session,
        program=program,
        title=title.strip(),
        location=location.strip(),
        starts_at=start,
        capacity=seats,
        now=now,
    )
    await record(
        session,
        staff_id=principal.id,
        action="create",
        object_type="training",
        object_id=training.id,
        at=now,
    )
    await session.commit()
    return _back(training.id)


@router.get("/trainings/{training_id}", response_class=HTMLResponse)
async def training_page(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    training_id: Id,
    error: str | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    """A session: who is enrolled, their attendance, and the forms to enrol and to mark."""
    training = await _training(session, principal, training_id)
    enrolments = list(
        await session.scalars(
            select(Enrollment)
            .where(Enrollment.training_id == training.id, Enrollment.status == "enrolled")
            .order_by(Enrollment.id)
        )
    )
    names = await names_of(session, [e.beneficiary_id for e in enrolments])
    marks = await attendance.marks_of(session, training.id)
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="training",
        object_id=training.id,
        at=runtime_of(request).clock(),
    )
    await session.commit()
    counts = {s: sum(1 for m in marks.values() if m.status == s) for s in attendance.STATUSES}
    return render(
        request,
        "trainings/detail.html",
        section="trainings",
        training=training,
        enrolments=enrolments,
        names=names,
        marks={k: v.status for k, v in marks.items()},
        counts=counts,
        statuses=attendance.STATUSES,
        error=error,
        saved=saved is not None,
    )


async def _person_from(session: AsyncSession, principal: Principal, given: str) -> int | None:
    """The person an application reference (``IESS-2026-00042``) or a number names."""
    text = given.strip()
    person_id = whole(text)
    if person_id is None and text:
        person_id = await session.scalar(
            select(Application.beneficiary_id).where(Application.reference == text.upper())
        )
    if person_id is None or not await sees_person(
        session, principal=principal, beneficiary_id=person_id
    ):
        return None
    return person_id


@router.post("/trainings/{training_id}/enrollments", response_model=None)
async def enrol(
    request: Request,
    session: SessionDep,
    principal: ConsoleStaff,
    training_id: Id,
    person: Annotated[str, Form(max_length=40)],
) -> RedirectResponse:
    """Enrol someone; they are reminded the day before and two hours before."""
    runtime = runtime_of(request)
    await _training(session, principal, training_id)
    person_id = await _person_from(session, principal, person)
    if person_id is None:
        return _back(training_id, "error=person")
    now = runtime.clock()
    try:
        await trainings.enroll(
            session,
            training_id=training_id,
            beneficiary_id=person_id,
            source="staff",
            policy=policy_of(session, runtime.settings.zone),
            now=now,
        )
    except trainings.TrainingError as exc:
        await session.rollback()
        return _back(training_id, f"error={exc.reason}")
    await record(
        session,
        staff_id=principal.id,
        action="enroll",
        object_type="training",
        object_id=training_id,
        at=now,
    )
    await session.commit()
    return _back(training_id)


@router.post("/trainings/{training_id}/attendance", response_model=None)
async def mark(
    request: Request, session: SessionDep, principal: ConsoleStaff, training_id: Id
) -> RedirectResponse:
    """Record the marks chosen in the attendance form (fields ``mark-<person>``)."""
    training = await _training(session, principal, training_id)
    form = await request.form()
    marks = []
    for key, value in form.multi_items():
        person = whole(key.removeprefix("mark-")) if key.startswith("mark-") else None
        if person is not None and value in attendance.STATUSES:
            marks.append(attendance.Mark(person, str(value)))
    if not marks:
        return _back(training_id)
    now = runtime_of(request).clock()
    try:
        await attendance.mark_attendance(
            session, training=training, marks=marks, staff_id=principal.id, now=now
        )
    except attendance.AttendanceError as exc:
        await session.rollback()
        return _back(training_id, f"error={exc.reason}")
    await record(
        session,
        staff_id=principal.id,
        action="update",
        object_type="attendance",
        object_id=training.id,
        at=now,
    )
    await session.commit()
    return _back(training_id, "saved=1")
