"""The statistics endpoint: the funnel per program, open cases, median first response."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.runtime import Runtime
from tests.api.conftest import StaffClient, person_with_application
from tests.support import FakeClock


async def test_funnel_open_cases_and_median_first_response(
    client: httpx.AsyncClient, runtime: Runtime, admin: StaffClient, clock: FakeClock
) -> None:
    first, first_app = await person_with_application(client, runtime, "iess")
    second, _ = await person_with_application(client, runtime, "iess", lang="ar")
    await person_with_application(client, runtime, "utss-cad")
    await admin.post(f"/applications/{first_app}/decision", {"status": "accepted"})
    for user, wait in ((first, 2), (second, 6)):
        await user.say("agent")
        case_id = (await admin.get("/cases", params={"status": "open"})).json()["items"][-1]["id"]
        clock.advance(timedelta(minutes=wait))
        await admin.post(f"/cases/{case_id}/messages", {"text": "Bonjour"})

    stats = (await admin.get("/stats")).json()
    by_program = {p["program"]: p for p in stats["programs"]}
    assert set(by_program) == set(runtime.content.programs)
    iess = by_program["iess"]
    assert (iess["started"], iess["profile_done"], iess["eligible"]) == (2, 2, 2)
    assert (iess["submitted"], iess["accepted"]) == (2, 1)
    assert iess["open_cases"] == 2
    assert iess["median_first_response_seconds"] == 4 * 60
    assert by_program["utss-cad"]["submitted"] == 1 and by_program["utss-cad"]["accepted"] == 0
    assert by_program["joud-nefzaoua"]["started"] == 0
    assert by_program["joud-nefzaoua"]["median_first_response_seconds"] is None
    assert stats["open_cases"] == 2 and stats["median_first_response_seconds"] == 240
