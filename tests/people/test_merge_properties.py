"""Any sequence of merges, undone by unlinking in reverse order, gives back exactly the
people there were: each with their own addresses, rows and answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.broadcasts.models import BroadcastRecipient
from backend.people.merge import merge_people
from backend.people.models import Beneficiary
from backend.people.unlink import unlink_address
from backend.reminders.models import Reminder
from backend.runtime import Runtime
from backend.stats.models import FunnelStep
from backend.trainings.models import Enrollment
from tests.people.merging import T0, add_row, addresses_of, broadcast, owners, person, training

PLAIN_TABLES = ("applications", "cases", "loans", "outbox", "consents", "surveys")
STAGES = ("started", "applied", "accepted")

people_plans = st.lists(
    st.fixed_dictionaries(
        {
            "addresses": st.integers(1, 3),
            "rows": st.lists(st.sampled_from(PLAIN_TABLES), max_size=3),
            # Shared trainings, broadcasts and stages: two people merged collide on them.
            "trainings": st.sets(st.integers(0, 1)),
            "broadcasts": st.sets(st.integers(0, 1)),
            "stages": st.sets(st.sampled_from(STAGES)),
            "profile": st.dictionaries(
                st.sampled_from(("city", "age", "gender")), st.sampled_from(("a", "b")), max_size=2
            ),
            "hours": st.integers(0, 5),
        }
    ),
    min_size=2,
    max_size=5,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=people_plans, picks=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99))))
async def test_merging_then_unlinking_in_reverse_restores_everyone(
    runtime: Runtime, plans: list[dict[str, Any]], picks: list[tuple[int, int]]
) -> None:
    async with runtime.sessions() as session, session.begin():
        ids = [await _make(session, plan) for plan in plans]
        mine = await _state(session, ids)
        alive = list(ids)
        undo: list[int] = []
        for n, (a, b) in enumerate(picks):
            if len(alive) < 2:
                break
            survivor = alive[a % len(alive)]
            absorbed = [i for i in alive if i != survivor][b % (len(alive) - 1)]
            brought = min((await addresses_of(session))[absorbed])
            await merge_people(
                session,
                survivor_id=survivor,
                absorbed_id=absorbed,
                merged_by="staff",
                now=T0 + timedelta(days=1, minutes=n),
            )
            alive.remove(absorbed)
            undo.append(brought)
        for address_id in reversed(undo):
            await unlink_address(session, address_id=address_id, now=T0, staff_id=None)
        assert await _state(session, ids) == mine


async def _make(session: Any, plan: dict[str, Any]) -> int:
    someone = await person(
        session,
        addresses=plan["addresses"],
        profile=plan["profile"],
        seen=T0 + timedelta(hours=plan["hours"]),
    )
    for table in plan["rows"]:
        await add_row(session, table, someone.id)
    for n in sorted(plan["trainings"]):
        enrollment = Enrollment(
            training_id=await _shared(session, "training", n), beneficiary_id=someone.id
        )
        session.add(enrollment)
        await session.flush()
        session.add(
            Reminder(
                kind="training",
                program="iess",
                beneficiary_id=someone.id,
                enrollment_id=enrollment.id,
                scheduled_at=T0,
                due_at=T0,
            )
        )
    for n in sorted(plan["broadcasts"]):
        session.add(
            BroadcastRecipient(
                broadcast_id=await _shared(session, "broadcast", n),
                beneficiary_id=someone.id,
                status="sent",
            )
        )
    for stage in sorted(plan["stages"]):
        session.add(FunnelStep(beneficiary_id=someone.id, program="iess", stage=stage))
    await session.flush()
    return someone.id


async def _shared(session: Any, kind: str, n: int) -> int:
    """The n-th training or broadcast of this example, made on first use."""
    made: dict[tuple[str, int], int] = session.info.setdefault("shared", {})
    if (kind, n) not in made:
        row = await (training(session) if kind == "training" else broadcast(session))
        made[(kind, n)] = row.id
    return made[(kind, n)]


async def _state(session: Any, ids: list[int]) -> dict[str, Any]:
    """Who owns which address and row, and each person's answers, for these people."""
    rows = {
        key: who
        for key, who in (await owners(session)).items()
        if who in ids and key[0] != "person_merges"
    }
    people = await session.execute(
        select(Beneficiary.id, Beneficiary.profile, Beneficiary.channel, Beneficiary.address)
        .where(Beneficiary.id.in_(ids))
        .execution_options(populate_existing=True)
    )
    addresses = {k: v for k, v in (await addresses_of(session)).items() if k in ids}
    return {"rows": rows, "addresses": addresses, "people": sorted(tuple(p) for p in people)}
