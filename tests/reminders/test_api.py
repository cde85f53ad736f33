"""The staff API for loans, funds, trainings, broadcasts and reminders, end to end: a loan
created through the API reminds the person in the web chat at its due time."""

from __future__ import annotations

from datetime import date

import httpx

from backend.runtime import Runtime
from backend.scheduler import tick
from tests.api.conftest import StaffClient, make_staff, person_with_application, poll
from tests.reminders.conftest import tunis
from tests.support import FakeClock

LOAN = {
    "principal": "900",
    "currency": "TND",
    "installments": 3,
    "frequency": "monthly",
    "first_due_date": "2026-12-01",
}


async def accepted_person(
    client: httpx.AsyncClient, runtime: Runtime, supervisor: StaffClient, program: str = "iess"
) -> tuple[object, int]:
    """Someone who applied through the web chat, accepted by a supervisor."""
    user, application_id = await person_with_application(client, runtime, program)
    decided = await supervisor.post(
        f"/applications/{application_id}/decision", {"status": "accepted"}
    )
    assert decided.status_code == 200, decided.text
    person = await user.beneficiary()
    assert person is not None
    return user, person.id


async def test_a_loan_made_through_the_api_reminds_the_person_in_the_web_chat(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    user, person = await accepted_person(client, runtime, supervisor)
    created = await supervisor.post("/loans", {"beneficiary_id": person, **LOAN})
    assert created.status_code == 201, created.text
    loan = created.json()
    assert loan["program"] == "iess" and loan["status"] == "on_time"
    assert [(i["due_on"], i["amount"]) for i in loan["schedule"]] == [
        ("2026-12-01", "300.000"),
        ("2027-01-01", "300.000"),
        ("2027-02-01", "300.000"),
    ]
    await poll(client, runtime, user)  # the acceptance message

    clock.now = tunis(2026, 11, 28, 9, 0)  # three days before the first due date
    await tick(runtime)
    shown = await poll(client, runtime, user)
    (reminder,) = shown
    assert "300,000" in reminder["text"] and "1 déc. 2026" in reminder["text"]
    (paid,) = reminder["choices"]
    assert paid["id"].startswith("rem.") and paid["id"].endswith(".paid")

    answer = await user.post(choice_id=paid["id"])
    assert answer.status_code == 200
    seen = await supervisor.get("/reminders", params={"answered": "true"})
    assert seen.status_code == 200
    (answered,) = seen.json()["items"]
    assert (answered["answer"], answered["loan_id"], answered["delivery"]) == (
        "paid",
        loan["id"],
        "sent",
    )

    record = (await supervisor.get(f"/beneficiaries/{person}")).json()
    assert [item["id"] for item in record["loans"]] == [loan["id"]]
    assert any(r["answer"] == "paid" for r in record["reminders"])
    stranger = await make_staff(runtime, client, role="supervisor", programs=("utss-cad",))
    assert (await stranger.get(f"/beneficiaries/{person}")).status_code == 404

    clock.now = tunis(2026, 12, 5, 12, 0)
    late = (await supervisor.get(f"/loans/{loan['id']}")).json()
    assert (late["status"], late["days_late"]) == ("late", 4)
    repaid = await supervisor.post(
        f"/loans/{loan['id']}/repayments", {"amount": "450.000", "paid_on": "2026-12-05"}
    )
    assert repaid.status_code == 201, repaid.text
    body = repaid.json()
    assert body["status"] == "on_time" and body["outstanding"] == "450.000"
    assert [i["status"] for i in body["schedule"]] == ["paid", "partial", "due"]
    cancelled = await supervisor.get("/reminders", params={"status": "cancelled"})
    assert {r["reason"] for r in cancelled.json()["items"]} == {"paid"}
    funds = (await supervisor.get("/funds")).json()["items"]
    assert funds == [
        {
            "program": "iess",
            "currency": "TND",
            "initial_capital": "0.000",
            "disbursed": "900.000",
            "repaid": "450.000",
            "balance": "-450.000",
            "outstanding": "450.000",
            "balance_minor": -450_000,
            "loans": 1,
        }
    ]
    admin = await make_staff(runtime, client, role="admin")
    capital = await admin.client.put(
        "/api/v1/funds/iess/TND", json={"initial_capital": "10000"}, headers=admin.headers
    )
    assert capital.status_code == 200 and capital.json()["balance"] == "9550.000"


async def test_amounts_with_too_many_decimals_and_impossible_repayments_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    _, person = await accepted_person(client, runtime, supervisor)
    for principal in ("900.0001", "0", "-5", "abc", "1e400"):
        refused = await supervisor.post(
            "/loans", {"beneficiary_id": person, **LOAN, "principal": principal}
        )
        assert refused.status_code == 422, principal
    eur = await supervisor.post(
        "/loans", {"beneficiary_id": person, **LOAN, "currency": "EUR", "principal": "12.345"}
    )
    assert eur.status_code == 422
    assert (await supervisor.post("/loans", {"beneficiary_id": person, **LOAN})).status_code == 201
    loan = (await supervisor.get("/loans")).json()["items"][0]["id"]
    too_much = await supervisor.post(
        f"/loans/{loan}/repayments", {"amount": "900.001", "paid_on": "2026-11-23"}
    )
    future = await supervisor.post(
        f"/loans/{loan}/repayments", {"amount": "1", "paid_on": str(date(2026, 12, 24))}
    )
    assert (too_much.status_code, future.status_code) == (422, 422)
    stranger = await supervisor.post("/loans", {"beneficiary_id": person, **LOAN, "program": "x"})
    assert stranger.status_code == 422, "no accepted application to that program"


async def test_staff_of_another_program_see_and_touch_none_of_it(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    other = await make_staff(runtime, client, role="supervisor", programs=("utss-cad",))
    agent = await make_staff(runtime, client, role="agent", programs=("iess",))
    _, person = await accepted_person(client, runtime, supervisor)
    loan = (await supervisor.post("/loans", {"beneficiary_id": person, **LOAN})).json()["id"]
    training = await agent.post(
        "/trainings",
        {
            "program": "iess",
            "title": "CEFE",
            "location": "Kasserine",
            "starts_at": "2026-12-10T09:00:00+01:00",
            "capacity": 10,
        },
    )
    assert training.status_code == 201, training.text
    training_id = training.json()["id"]
    broadcast = await supervisor.post(
        "/broadcasts", {"segment": {"program": "iess"}, "text": {"fr": "Bonjour"}}
    )
    assert broadcast.status_code == 201, broadcast.text
    broadcast_id = broadcast.json()["id"]

    for method, path, body in [
        ("GET", f"/loans/{loan}", None),
        ("POST", f"/loans/{loan}/repayments", {"amount": "1", "paid_on": "2026-11-23"}),
        ("GET", f"/trainings/{training_id}", None),
        ("PATCH", f"/trainings/{training_id}", {"title": "x"}),
        ("POST", f"/trainings/{training_id}/enrollments", {"beneficiary_id": person}),
        ("GET", f"/broadcasts/{broadcast_id}", None),
        ("POST", f"/broadcasts/{broadcast_id}/cancel", None),
        ("POST", "/loans", {"beneficiary_id": person, **LOAN, "program": "iess"}),
        (
            "POST",
            "/trainings",
            {
                "program": "iess",
                "title": "x",
                "location": "y",
                "starts_at": "2026-12-10T09:00:00+01:00",
            },
        ),
        ("POST", "/broadcasts", {"segment": {"program": "iess"}, "text": {"fr": "x"}}),
    ]:
        response = await other.client.request(
            method, f"/api/v1{path}", json=body, headers=other.headers
        )
        assert response.status_code == 404, (method, path, response.status_code)
    for path in ("/loans", "/trainings", "/broadcasts", "/reminders", "/funds", "/indicators"):
        listed = await other.get(path)
        assert listed.status_code == 200 and listed.json()["items"] == [], path
    assert (await agent.post("/loans", {"beneficiary_id": person, **LOAN})).status_code == 403
    assert (
        await agent.post("/broadcasts", {"segment": {"program": "iess"}, "text": {"fr": "x"}})
    ).status_code == 403


async def test_trainings_enrol_move_and_report_attendance(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    user, person = await accepted_person(client, runtime, supervisor)
    training = (
        await supervisor.post(
            "/trainings",
            {
                "program": "iess",
                "title": "Entreprendre collectivement en ESS",
                "location": "Kasserine",
                "starts_at": "2026-12-10T09:00:00+01:00",
                "capacity": 1,
            },
        )
    ).json()
    enrolled = await supervisor.post(
        f"/trainings/{training['id']}/enrollments", {"beneficiary_id": person}
    )
    assert enrolled.status_code == 201, enrolled.text
    _, second = await accepted_person(client, runtime, supervisor)
    full = await supervisor.post(
        f"/trainings/{training['id']}/enrollments", {"beneficiary_id": second}
    )
    assert full.status_code == 409
    moved = await supervisor.client.patch(
        f"/api/v1/trainings/{training['id']}",
        json={"starts_at": "2026-12-12T14:00:00+01:00"},
        headers=supervisor.headers,
    )
    assert moved.status_code == 200 and moved.json()["schedule_version"] == 2
    pending = (await supervisor.get("/reminders", params={"status": "pending"})).json()["items"]
    training_reminders = sorted(
        (r["due_at"], r["version"]) for r in pending if r["training_id"] == training["id"]
    )
    assert training_reminders == [
        ("2026-12-11T13:00:00Z", 2),
        ("2026-12-12T11:00:00Z", 2),
    ]
    await poll(client, runtime, user)
    clock.now = tunis(2026, 12, 11, 14, 0)
    await tick(runtime)
    (reminder,) = await poll(client, runtime, user)
    coming = next(c["id"] for c in reminder["choices"] if c["id"].endswith(".coming"))
    await user.post(choice_id=coming)
    detail = (await supervisor.get(f"/trainings/{training['id']}")).json()
    assert [(e["beneficiary_id"], e["attendance"]) for e in detail["enrollments"]] == [
        (person, "coming")
    ]
    unknown = await supervisor.get("/reminders", params={"colour": "red"})
    assert unknown.status_code == 422


async def test_a_broadcast_through_the_api_shows_its_progress(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    user, _ = await accepted_person(client, runtime, supervisor)
    created = await supervisor.post(
        "/broadcasts",
        {
            "segment": {"program": "iess", "application_status": "accepted"},
            "text": {"fr": "Formation GERME lundi.", "ar": "تكوين GERME يوم الإثنين."},
            "send_at": "2026-11-24T10:00:00+01:00",
        },
    )
    assert created.status_code == 201, created.text
    broadcast = created.json()
    assert (broadcast["status"], broadcast["recipients"]) == ("scheduled", 0)
    await poll(client, runtime, user)
    clock.now = tunis(2026, 11, 24, 10, 0)
    await tick(runtime)
    queued = (await supervisor.get(f"/broadcasts/{broadcast['id']}")).json()
    assert (queued["status"], queued["recipients"], queued["queued"]) == ("done", 1, 1)
    (message,) = await poll(client, runtime, user)
    assert message["text"] == "Formation GERME lundi."
    sent = (await supervisor.get(f"/broadcasts/{broadcast['id']}")).json()
    assert (sent["queued"], sent["sent"], sent["failed"]) == (0, 1, 0)
    empty = await supervisor.post("/broadcasts", {"segment": {}, "text": {"fr": " "}})
    assert empty.status_code == 422
