"""The scheduler: one interval job, started with the app, that ticks everything due; and the
settings that shape it, checked at start-up."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import ValidationError

from backend.app.main import create_app
from backend.runtime import Runtime
from backend.scheduler import JOB_ID, RETENTION_JOB_ID, build_scheduler
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import add_person, open_loan, outbox_count, tunis
from tests.support import FakeClock


async def test_one_interval_job_ticks_everything(rt: Runtime) -> None:
    # Two jobs since retention became real: the tick, and the retention job (tests/people).
    scheduler = build_scheduler(rt)
    assert {j.id for j in scheduler.get_jobs()} == {JOB_ID, RETENTION_JOB_ID}
    job = scheduler.get_job(JOB_ID)
    assert job.id == JOB_ID and job.max_instances == 1 and job.coalesce
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=rt.settings.scheduler_interval_seconds)


async def test_the_app_starts_the_scheduler_which_sends_due_reminders(
    rt: Runtime, clock: FakeClock, adapter: RecordingAdapter
) -> None:
    person = await add_person(rt, program="iess")
    await open_loan(rt, person, installments=1, first_due_date=date(2026, 12, 1))
    clock.now = tunis(2026, 11, 28, 9, 0)
    app = create_app(runtime=rt, background=True)
    async with app.router.lifespan_context(app):
        for _ in range(100):  # the job runs at once, then every interval
            if adapter.sent:
                break
            await asyncio.sleep(0.05)
    assert len(adapter.sent) == 1 and adapter.sent[0][1].kind == "reminder"
    assert await outbox_count(rt) == 1


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MASSAR_QUIET_HOURS": "nine to five"}, "MASSAR_QUIET_HOURS"),
        ({"MASSAR_REMINDER_TIME": "25:99"}, "MASSAR_REMINDER_TIME"),
        ({"MASSAR_REPAYMENT_REMINDER_DAYS": "-3,soon"}, "MASSAR_REPAYMENT_REMINDER_DAYS"),
        ({"MASSAR_SURVEY_MONTHS": "0,6"}, "MASSAR_SURVEY_MONTHS"),
        (
            {"MASSAR_REPAYMENT_REMINDER_DAYS_BY_PROGRAM": '{"iess": "x"}'},
            "MASSAR_REPAYMENT_REMINDER_DAYS_BY_PROGRAM",
        ),
    ],
)
def test_a_wrong_reminder_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert named in str(caught.value)


def test_reminder_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("MASSAR_"):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.quiet_hours, settings.repayment_reminder_days) == ("21:00-08:00", "-3,0,3")
    assert settings.survey_months == "3,6"
