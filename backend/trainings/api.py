"""Training sessions and who is enrolled: staff create, move and enrol; people also register
from the bot and answer their reminders (``attendance``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.deps import MAX_ID, CurrentStaff, PagingDep
from backend.api.errors import conflict, not_found, responses, unprocessable
from backend.api.guards import check_person, check_program
from backend.api.schemas import Page, ProgramCode
from backend.app.deps import RuntimeDep, SessionDep
from backend.reminders.policy import policy_of
from backend.staff.audit import record
from backend.staff.service import Principal
from backend.trainings import attendance, queries
from backend.trainings import service as trainings
from backend.trainings.models import Enrollment, Training
from backend.trainings.schemas import (
    AttendanceRead,
    AttendanceUpdate,
    EnrollmentCreate,
    EnrollmentRead,
    TrainingCreate,
    TrainingDetail,
    TrainingRead,
    TrainingUpdate,
)

router = APIRouter(tags=["trainings"])
TrainingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The session's id.")]
EnrollmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The enrolment's id.")]


async def _training(session: AsyncSession, principal: Principal, training_id: int) -> Training:
    """The session, or 404 when unknown or outside the principal's programs."""
    training = await session.get(Training, training_id)
    if training is None or not principal.sees(training.program):
        raise not_found("training")
    return training


async def _read(session: AsyncSession, training: Training) -> TrainingRead:
    enrolled = await trainings.enrolled_count(session, training.id)
    seats = None if training.capacity is None else max(0, training.capacity - enrolled)
    return TrainingRead.model_validate(
        {
            **{k: getattr(training, k) for k in TrainingRead.model_fields if hasattr(training, k)},
            "enrolled": enrolled,
            "seats_left": seats,
        }
    )


async def _detail(session: AsyncSession, training: Training) -> TrainingDetail:
    rows = await queries.enrollments_of(session, training.id)
    return TrainingDetail(
        **(await _read(session, training)).model_dump(),
        enrollments=[EnrollmentRead.model_validate(e) for e in rows],
    )


@router.post(
    "/trainings",
    status_code=status.HTTP_201_CREATED,
    response_model=TrainingRead,
    responses=responses(401, 404),
)
async def create_training(
    body: TrainingCreate, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> TrainingRead:
    """Schedule a session in one of your programs."""
    check_program(runtime, principal, body.program)
    now = runtime.clock()
    training = await trainings.create_training(
        session,
        program=body.program,
        title=body.title,
        location=body.location,
        starts_at=body.starts_at,
        capacity=body.capacity,
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
    read = await _read(session, training)
    await session.commit()
    return read


@router.get("/trainings", response_model=Page[TrainingRead], responses=responses(401))
async def list_trainings(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
    paging: PagingDep,
    program: ProgramCode | None = None,
    upcoming: bool = False,
) -> Page[TrainingRead]:
    """Sessions in your programs, soonest first; ``upcoming=true`` hides past ones."""
    rows, total = await queries.find_trainings(
        session,
        principal=principal,
        program=program,
        after=runtime.clock() if upcoming else None,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [await _read(session, t) for t in rows]
    await record(
        session,
        staff_id=principal.id,
        action="list",
        object_type="training",
        object_id=None,
        at=runtime.clock(),
    )
    await session.commit()
    return Page(items=items, total=int(total or 0))


@router.get(
    "/trainings/{training_id}", response_model=TrainingDetail, responses=responses(401, 404)
)
async def read_training(
    training_id: TrainingId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> TrainingDetail:
    """A session with its enrolments and each person's attendance answer."""
    training = await _training(session, principal, training_id)
    detail = await _detail(session, training)
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="training",
        object_id=training.id,
        at=runtime.clock(),
    )
    await session.commit()
    return detail


@router.patch(
    "/trainings/{training_id}", response_model=TrainingDetail, responses=responses(401, 404)
)
async def update_training(
    training_id: TrainingId,
    body: TrainingUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> TrainingDetail:
    """Change a session. Moving it moves its reminders; cancelling it cancels them."""
    await _training(session, principal, training_id)
    now = runtime.clock()
    training = await trainings.update_training(
        session,
        training_id=training_id,
        changes=trainings.TrainingChanges(**body.model_dump(exclude_unset=True)),
        policy=policy_of(session, runtime.settings.zone),
        now=now,
    )
    assert training is not None  # noqa: S101 - found just above, and never deleted
    await record(
        session,
        staff_id=principal.id,
        action="update",
        object_type="training",
        object_id=training.id,
        at=now,
    )
    detail = await _detail(session, training)
    await session.commit()
    return detail


@router.post(
    "/trainings/{training_id}/enrollments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
    responses=responses(401, 404, 409),
)
async def enroll(
    training_id: TrainingId,
    body: EnrollmentCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> EnrollmentRead:
    """Enrol someone; they are reminded the day before and two hours before. 409 when the
    session is full, over or cancelled."""
    await _training(session, principal, training_id)
    await check_person(session, principal, body.beneficiary_id)
    now = runtime.clock()
    try:
        found = await trainings.enroll(
            session,
            training_id=training_id,
            beneficiary_id=body.beneficiary_id,
            source="staff",
            policy=policy_of(session, runtime.settings.zone),
            now=now,
        )
    except trainings.TrainingError as exc:
        raise conflict(str(exc)) from exc
    assert found is not None  # noqa: S101 - the session was found just above
    enrollment = found[1]
    await record(
        session,
        staff_id=principal.id,
        action="enroll",
        object_type="training",
        object_id=training_id,
        at=now,
    )
    read = EnrollmentRead.model_validate(enrollment)
    await session.commit()
    return read


@router.delete(
    "/trainings/{training_id}/enrollments/{enrollment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=responses(401, 404),
)
async def unenroll(
    training_id: TrainingId,
    enrollment_id: EnrollmentId,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> Response:
    """Cancel an enrolment and its reminders; the seat is free again."""
    await _training(session, principal, training_id)
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.training_id != training_id:
        raise not_found("enrollment")
    now = runtime.clock()
    await trainings.unenroll(session, enrollment=enrollment, now=now)
    await record(
        session,
        staff_id=principal.id,
        action="cancel",
        object_type="training",
        object_id=training_id,
        at=now,
    )
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/trainings/{training_id}/attendance",
    response_model=list[AttendanceRead],
    responses=responses(401, 404, 409),
)
async def mark_attendance(
    training_id: TrainingId,
    body: AttendanceUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentStaff,
) -> list[AttendanceRead]:
    """Mark enrolled people present, absent or excused; marking again replaces the mark.
    422 for someone not enrolled, 409 on a cancelled session."""
    training = await _training(session, principal, training_id)
    now = runtime.clock()
    marks = [attendance.Mark(m.beneficiary_id, m.status) for m in body.marks]
    try:
        rows = await attendance.mark_attendance(
            session, training=training, marks=marks, staff_id=principal.id, now=now
        )
    except attendance.AttendanceError as exc:
        if exc.reason == "cancelled":
            raise conflict(str(exc)) from exc
        raise unprocessable(["body", "marks"], str(exc)) from exc
    await record(
        session,
        staff_id=principal.id,
        action="update",
        object_type="attendance",
        object_id=training.id,
        at=now,
    )
    read = [AttendanceRead.model_validate(row) for row in rows]
    await session.commit()
    return read


@router.get(
    "/trainings/{training_id}/attendance",
    response_model=list[AttendanceRead],
    responses=responses(401, 404),
)
async def read_attendance(
    training_id: TrainingId, session: SessionDep, runtime: RuntimeDep, principal: CurrentStaff
) -> list[AttendanceRead]:
    """The session's attendance marks, by person."""
    training = await _training(session, principal, training_id)
    rows = await attendance.marks_of(session, training.id)
    await record(
        session,
        staff_id=principal.id,
        action="read",
        object_type="attendance",
        object_id=training.id,
        at=runtime.clock(),
    )
    await session.commit()
    return [AttendanceRead.model_validate(rows[key]) for key in sorted(rows)]
