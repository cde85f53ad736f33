"""Attendance at a training session: staff mark enrolled people present, absent or excused,
through the service and the API; marks replace each other, survive erasure as counts, and
another programme's session is a 404."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backend.people.erasure import erase_beneficiary
from backend.reminders.policy import policy_of
from backend.runtime import Runtime
from backend.trainings import attendance
from backend.trainings import service as trainings
from backend.trainings.models import Attendance, Training
from tests.api.conftest import make_staff
from tests.reminders.conftest import add_person
from tests.support import FakeClock


async def session_with(runtime: Runtime, people: list[int], program: str = "iess") -> int:
    """A session tomorrow with ``people`` enrolled."""
    async with runtime.sessions() as session, session.begin():
        training = Training(
            program=program,
            title="GERME",
            location="Kasserine",
            starts_at=runtime.clock() + timedelta(days=1),
            capacity=10,
        )
        session.add(training)
        await session.flush()
        for person in people:
            await trainings.enroll(
                session,
                training_id=training.id,
                beneficiary_id=person,
                source="staff",
                policy=policy_of(session),
                now=runtime.clock(),
            )
        return training.id


async def test_marks_are_kept_replaced_and_counted_even_after_erasure(rt: Runtime) -> None:
    amina, karim, salma = [await add_person(rt, program="iess") for _ in range(3)]
    training_id = await session_with(rt, [amina, karim, salma])
    marks = [
        attendance.Mark(amina, "present"),
        attendance.Mark(karim, "absent"),
        attendance.Mark(salma, "excused"),
    ]
    async with rt.sessions() as session, session.begin():
        training = await session.get(Training, training_id)
        assert training is not None
        await attendance.mark_attendance(
            session, training=training, marks=marks, staff_id=None, now=rt.clock()
        )
        # Karim came after all: marking again replaces his mark, it does not add one.
        await attendance.mark_attendance(
            session,
            training=training,
            marks=[attendance.Mark(karim, "present")],
            staff_id=None,
            now=rt.clock(),
        )
    async with rt.sessions() as session:
        marked = await attendance.marks_of(session, training_id)
        assert {k: v.status for k, v in marked.items()} == {
            amina: "present",
            karim: "present",
            salma: "excused",
        }
        (iess,) = await attendance.attendance_figures(session, programs=["iess"])
    assert (iess.sessions, iess.enrolled, iess.present, iess.absent, iess.excused) == (
        1,
        3,
        2,
        0,
        1,
    )
    assert iess.rate == pytest.approx(2 / 3)

    async with rt.sessions() as session, session.begin():
        await erase_beneficiary(session, beneficiary_id=amina)
    async with rt.sessions() as session:
        (after,) = await attendance.attendance_figures(session, programs=["iess"])
        rows = list(await session.scalars(select(Attendance.beneficiary_id)))
    assert after.present == 2, "an erased person's mark still counts, unlinked"
    assert None in rows and amina not in rows


async def test_only_enrolled_people_can_be_marked_and_nothing_is_half_saved(rt: Runtime) -> None:
    enrolled = await add_person(rt, program="iess")
    stranger = await add_person(rt, program="iess")
    training_id = await session_with(rt, [enrolled])
    with pytest.raises(attendance.AttendanceError) as refused:
        async with rt.sessions() as session, session.begin():
            training = await session.get(Training, training_id)
            assert training is not None
            await attendance.mark_attendance(
                session,
                training=training,
                marks=[attendance.Mark(enrolled, "present"), attendance.Mark(stranger, "absent")],
                staff_id=None,
                now=rt.clock(),
            )
    assert refused.value.reason == "not_enrolled" and refused.value.beneficiary_id == stranger
    async with rt.sessions() as session:
        assert await attendance.marks_of(session, training_id) == {}


async def test_the_attendance_api_marks_reads_and_scopes(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    other = await make_staff(runtime, client, role="agent", programs=("utss-cad",))
    person = await add_person(runtime, program="iess")
    training_id = await session_with(runtime, [person])
    url = f"/api/v1/trainings/{training_id}/attendance"
    body = {"marks": [{"beneficiary_id": person, "status": "present"}]}

    hidden = await client.put(url, json=body, headers=other.headers)
    assert hidden.status_code == 404, "another programme's session does not exist for them"
    marked = await client.put(url, json=body, headers=agent.headers)
    assert marked.status_code == 200, marked.text
    assert [(m["beneficiary_id"], m["status"]) for m in marked.json()] == [(person, "present")]
    read = await agent.get(f"/trainings/{training_id}/attendance")
    assert [m["status"] for m in read.json()] == ["present"]

    wrong = await client.put(
        url, json={"marks": [{"beneficiary_id": person, "status": "late"}]}, headers=agent.headers
    )
    assert wrong.status_code == 422
    stranger = await add_person(runtime, program="iess")
    refused = await client.put(
        url,
        json={"marks": [{"beneficiary_id": stranger, "status": "absent"}]},
        headers=agent.headers,
    )
    assert refused.status_code == 422 and "not enrolled" in refused.text
