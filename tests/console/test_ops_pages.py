"""Loans, trainings, broadcasts and dashboard pages (httpx through the app): each renders,
writes through the services, is audited like the API, and another programme's object is a 404.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from backend.broadcasts.models import Broadcast
from backend.loans.models import Loan
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.staff.models import AuditEntry
from backend.trainings.models import Attendance, Enrollment, Training
from tests.console.records import person_with_application, staff_client
from tests.reminders.conftest import open_loan


async def audited(runtime: Runtime, action: str, object_type: str) -> int:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_type == object_type)
        )
        return int(found or 0)


async def test_a_loan_is_opened_for_an_accepted_application_and_repaid(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    supervisor, csrf, _ = await staff_client(runtime, client, role="supervisor", programs=["iess"])
    person, application, reference = await person_with_application(runtime, status="accepted")
    listing = await supervisor.get("/console/loans")
    assert listing.status_code == 200, listing.text
    assert f"/console/loans/new?application={application}" in listing.text
    assert reference in listing.text
    due = (runtime.clock() + timedelta(days=30)).date().isoformat()
    created = await supervisor.post(
        "/console/loans",
        data={
            "csrf_token": csrf,
            "application_id": str(application),
            "principal": "900",
            "installments": "3",
            "frequency": "monthly",
            "first_due_date": due,
            "grace_periods": "0",
        },
    )
    assert created.status_code == 303, created.text
    page = await supervisor.get(created.headers["location"])
    assert page.status_code == 200
    assert page.text.count("<tr>") >= 4, "the schedule's three lines"
    repaid = await supervisor.post(
        f"{created.headers['location']}/repayments",
        data={"csrf_token": csrf, "amount": "300", "paid_on": runtime.clock().date().isoformat()},
    )
    assert repaid.status_code == 303 and "error" not in repaid.headers["location"]
    async with runtime.sessions() as session:
        loan = await session.scalar(select(Loan))
        assert loan is not None and loan.beneficiary_id == person
        assert loan.principal_minor == 900_000 and loan.currency == "TND"
    assert await audited(runtime, "create", "loan") == 1
    assert await audited(runtime, "repay", "loan") == 1
    too_much = await supervisor.post(
        f"{created.headers['location']}/repayments",
        data={"csrf_token": csrf, "amount": "5000", "paid_on": runtime.clock().date().isoformat()},
    )
    assert too_much.headers["location"].endswith("error=amount")


async def test_another_programmes_objects_are_404(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _, application, _ = await person_with_application(runtime, status="accepted")
    outsider, csrf, _ = await staff_client(
        runtime, client, role="supervisor", programs=["utss-cad"]
    )
    async with runtime.sessions() as session, session.begin():
        training = Training(
            program="iess", title="GERME", location="Kasserine", starts_at=runtime.clock()
        )
        broadcast = Broadcast(
            program="iess", segment={"program": "iess"}, texts={"fr": "x"}, send_at=runtime.clock()
        )
        session.add_all([training, broadcast])
        await session.flush()
        ids = training.id, broadcast.id
    for path in (
        f"/console/loans/new?application={application}",
        f"/console/trainings/{ids[0]}",
        f"/console/broadcasts/{ids[1]}",
        f"/console/broadcasts/{ids[1]}/progress",
    ):
        assert (await outsider.get(path)).status_code == 404, path
    hidden = await outsider.post(
        "/console/broadcasts/reach",
        data={"csrf_token": csrf, "training": str(ids[0])},
        headers={"X-CSRF-Token": csrf},
    )
    assert hidden.status_code == 404


async def test_attendance_is_marked_from_the_session_page(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    agent, csrf, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    came, _, _ = await person_with_application(runtime)
    excused, _, reference = await person_with_application(runtime)
    created = await agent.post(
        "/console/trainings",
        data={
            "csrf_token": csrf,
            "program": "iess",
            "title": "CEFE",
            "location": "Jendouba",
            "starts_at": (runtime.clock() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "10",
        },
    )
    assert created.status_code == 303, created.text
    page_url = created.headers["location"]
    for given in (str(came), reference):
        enrolled = await agent.post(
            f"{page_url}/enrollments", data={"csrf_token": csrf, "person": given}
        )
        assert "error" not in enrolled.headers["location"], enrolled.headers["location"]
    marked = await agent.post(
        f"{page_url}/attendance",
        data={"csrf_token": csrf, f"mark-{came}": "present", f"mark-{excused}": "excused"},
    )
    assert marked.headers["location"].endswith("saved=1")
    async with runtime.sessions() as session:
        marks = dict(
            (await session.execute(select(Attendance.beneficiary_id, Attendance.status))).all()
        )
        enrolments = await session.scalar(select(func.count()).select_from(Enrollment))
    assert marks == {came: "present", excused: "excused"} and enrolments == 2
    shown = await agent.get(page_url)
    assert 'data-attendance="present">1<' in shown.text
    assert await audited(runtime, "update", "attendance") == 1


async def test_a_broadcast_is_composed_counted_and_cancelled(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    supervisor, csrf, _ = await staff_client(runtime, client, role="supervisor", programs=["iess"])
    await person_with_application(runtime, status="accepted")
    stopped, _, _ = await person_with_application(runtime, status="accepted")
    async with runtime.sessions() as session, session.begin():
        person = await session.get(Beneficiary, stopped)
        assert person is not None
        person.reminders_opt_out = True
    form = {"csrf_token": csrf, "program": "iess", "application_status": "accepted"}
    reach = await supervisor.post(
        "/console/broadcasts/reach", data=form, headers={"X-CSRF-Token": csrf}
    )
    assert reach.json() == {"matching": 2, "reachable": 1, "skipped": 1}
    composer = await supervisor.get("/console/broadcasts")
    assert "data-counter" in composer.text and "4096" in composer.text
    later = (runtime.clock() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    created = await supervisor.post(
        "/console/broadcasts",
        data={**form, "text_fr": "Réunion jeudi", "when": "later", "send_at": later},
    )
    assert created.status_code == 303, created.text
    detail = await supervisor.get(created.headers["location"])
    assert "cancel-form" in detail.text
    progress = await supervisor.get(created.headers["location"] + "/progress")
    assert progress.json()["total"] == 2 and progress.json()["percent"] == 0
    assert progress.json()["waiting"], "due tomorrow: the page may poll less often"
    cancelled = await supervisor.post(
        created.headers["location"] + "/cancel", data={"csrf_token": csrf}
    )
    assert cancelled.status_code == 303
    after = (await supervisor.get(created.headers["location"] + "/progress")).json()
    assert after["status"] == "cancelled" and after["finished"]
    assert await audited(runtime, "cancel", "broadcast") == 1
    blank = await supervisor.post("/console/broadcasts", data={**form, "when": "now"})
    assert blank.headers["location"].endswith("error=text")


async def test_the_dashboard_renders_its_charts_and_tables(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    agent, _, _ = await staff_client(
        runtime, client, role="agent", programs=["iess"], language="ar"
    )
    await person_with_application(runtime, status="accepted")
    page = await agent.get("/console/dashboard")
    assert page.status_code == 200, page.text
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 5
    assert 'id="funnel-table"' in page.text and 'dir="rtl"' in page.text


async def test_an_admin_sets_a_funds_capital_in_the_programmes_currency(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    admin, csrf, _ = await staff_client(runtime, client, role="admin")
    saved = await admin.post(
        "/console/funds", data={"csrf_token": csrf, "program": "essor-biosp", "capital": "2500"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/console/loans"
    page = (await admin.get("/console/loans")).text
    assert "essor-biosp · XOF" in page and 'id="fund-essor-biosp-XOF-title"' in page
    chad = await admin.post(
        "/console/funds",
        data={"csrf_token": csrf, "program": "essor-biosp", "currency": "XAF", "capital": "900"},
    )
    assert chad.headers["location"] == "/console/loans"
    assert "essor-biosp · XAF" in (await admin.get("/console/loans")).text, "Chad's own fund"
    dinars = await admin.post(
        "/console/funds",
        data={"csrf_token": csrf, "program": "essor-biosp", "currency": "TND", "capital": "9"},
    )
    assert dinars.headers["location"].endswith("error=currency"), "ESSOR keeps no dinars"
    wrong = await admin.post(
        "/console/funds", data={"csrf_token": csrf, "program": "iess", "capital": "1.0001"}
    )
    assert wrong.headers["location"].endswith("error=capital"), "TND has three decimals"
    supervisor, token, _ = await staff_client(
        runtime, client, role="supervisor", programs=["iess"]
    )
    refused = await supervisor.post(
        "/console/funds", data={"csrf_token": token, "program": "iess", "capital": "10"}
    )
    assert refused.status_code == 403
    assert await audited(runtime, "update", "fund") == 2, "one row per fund set"


async def test_the_loan_list_filters_late_loans_with_the_apis_rule(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    agent, _, _ = await staff_client(runtime, client, role="agent", programs=["iess"])
    late_person, _, _ = await person_with_application(runtime, status="accepted")
    fine_person, _, _ = await person_with_application(runtime, status="accepted")
    today = runtime.clock().date()
    late = await open_loan(runtime, late_person, first_due_date=today - timedelta(days=5))
    fine = await open_loan(runtime, fine_person, first_due_date=today + timedelta(days=25))
    shown = (await agent.get("/console/loans", params={"status": "late"})).text
    assert (
        f'href="/console/loans/{late}"' in shown and f'href="/console/loans/{fine}"' not in shown
    )
    assert "5 jours" in shown, "late by five days, in the staff member's language"
    on_time = (await agent.get("/console/loans", params={"status": "on_time"})).text
    assert (
        f'href="/console/loans/{fine}"' in on_time
        and f'href="/console/loans/{late}"' not in on_time
    )
