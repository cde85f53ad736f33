"""The inbox's filters and scope, on SQLite and PostgreSQL."""

from __future__ import annotations

from backend.cases.models import Case, CaseMessage
from backend.console.views import inbox
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.service import Principal, create_staff, load_principal


async def test_mine_unassigned_all_programme_and_channel(runtime: Runtime) -> None:
    now = runtime.clock()
    async with runtime.sessions() as session, session.begin():
        agent = await create_staff(
            session, email="a@m.test", name="Agent", role="agent", programs=["iess"],
            password=None, now=now,
        )  # fmt: skip
        people = [
            Beneficiary(channel=channel, address=str(i), language="fr", profile={}, state={})
            for i, channel in enumerate(["telegram", "whatsapp", "telegram", "telegram"])
        ]
        session.add_all(people)
        await session.flush()
        cases = [
            Case(beneficiary_id=people[0].id, program="iess", reason="r", assigned_to=agent.id),
            Case(beneficiary_id=people[1].id, program="iess", reason="r"),
            Case(beneficiary_id=people[2].id, program="utss-cad", reason="r"),
            Case(beneficiary_id=people[3].id, program="iess", reason="r", status="closed"),
        ]
        session.add_all(cases)
        await session.flush()
        session.add(CaseMessage(case_id=cases[1].id, direction="in", text="Bonjour ?"))
        ids = [c.id for c in cases]
    async with runtime.sessions() as session:
        principal = await load_principal(session, staff_id=agent.id)
        assert isinstance(principal, Principal)

        async def shown(**filters: str | None) -> list[int]:
            values = {"show": "all", "program": None, "channel": None} | filters
            rows = await inbox(session, principal=principal, **values)  # type: ignore[arg-type]
            return sorted(row.case_id for row in rows)

        assert await shown() == [ids[0], ids[1]], "open cases of the agent's programmes only"
        assert await shown(show="mine") == [ids[0]]
        assert await shown(show="unassigned") == [ids[1]]
        assert await shown(channel="whatsapp") == [ids[1]]
        assert await shown(program="utss-cad") == []
        rows = await inbox(session, principal=principal, show="all", program=None, channel=None)
        waiting = next(row for row in rows if row.case_id == ids[1])
        assert waiting.last_text == "Bonjour ?" and waiting.last_from == "person"
        assert next(row for row in rows if row.case_id == ids[0]).assignee == "Agent"


async def test_the_name_typed_in_an_application_comes_before_the_channels(
    runtime: Runtime,
) -> None:
    from backend.applications.models import Application
    from backend.console.views import typed_names

    async with runtime.sessions() as session, session.begin():
        person = Beneficiary(
            channel="telegram", address="9", language="fr", profile={}, state={},
            channel_name="Zeinou",
        )  # fmt: skip
        session.add(person)
        await session.flush()
        session.add(
            Application(
                reference="IESS-2026-00001", program="iess", beneficiary_id=person.id,
                answers={"full_name": "Zeineb Ben Salah", "age": 24}, language="fr",
            )
        )  # fmt: skip
        person_id = person.id
    async with runtime.sessions() as session:
        assert await typed_names(session, [person_id]) == {person_id: "Zeineb Ben Salah"}
