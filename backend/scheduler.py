"""The periodic tick: one APScheduler interval job for reminders, broadcasts and surveys.

The scheduler never holds a job per reminder: reminders are rows, and each tick claims those
that are due. Several processes may tick at once; the claims keep each row to one of them.
Tests call :func:`tick` directly with their own clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.broadcasts.service import run_broadcasts
from backend.people.retention import erase_silent_people
from backend.reminders.policy import ReminderPolicy
from backend.reminders.tick import ReminderReport, run_reminders
from backend.runtime import Runtime
from backend.surveys.service import run_surveys

logger = logging.getLogger(__name__)
JOB_ID = "massar-tick"
RETENTION_JOB_ID = "massar-retention"


@dataclass
class TickReport:
    """What one tick queued."""

    reminders: ReminderReport
    broadcast_messages: int
    surveys_started: int


async def tick(runtime: Runtime, *, now: datetime | None = None) -> TickReport:
    """Queue every due reminder, broadcast batch and survey, then wake the dispatcher.

    Each part runs on its own, so one failing (and logged) does not hold the others back.
    """
    now = now or runtime.clock()
    policy = ReminderPolicy.from_settings(runtime.settings)
    report = TickReport(ReminderReport(), 0, 0)
    try:
        report.reminders = await run_reminders(
            runtime.sessions, catalogs=runtime.engine.catalogs, policy=policy, now=now
        )
    except Exception:
        logger.exception("reminder tick failed; its batch was rolled back")
    try:
        report.broadcast_messages = await run_broadcasts(runtime.sessions, policy=policy, now=now)
    except Exception:
        logger.exception("broadcast tick failed; its batch was rolled back")
    try:
        report.surveys_started = await run_surveys(
            runtime.sessions, engine=runtime.engine, policy=policy, now=now
        )
    except Exception:
        logger.exception("survey tick failed; its batch was rolled back")
    if report.reminders.sent or report.broadcast_messages or report.surveys_started:
        runtime.dispatcher.kick()
    return report


async def retention_tick(runtime: Runtime, *, now: datetime | None = None) -> list[int]:
    """Erase the people silent for longer than ``MASSAR_RETENTION_DAYS``."""
    try:
        return await erase_silent_people(
            runtime.sessions,
            wiper=runtime.wiper,
            retention_days=runtime.settings.retention_days,
            now=now or runtime.clock(),
        )
    except Exception:
        logger.exception("retention job failed; its batch was rolled back")
        return []


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """An asyncio scheduler with the tick and the retention jobs; start it inside the loop.

    ``max_instances=1`` and ``coalesce`` keep a slow tick from piling up runs.
    """

    async def job() -> None:
        await tick(runtime)
        if runtime.media is not None:  # files whose download failed are retried here
            runtime.media.kick()

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        job,
        "interval",
        seconds=runtime.settings.scheduler_interval_seconds,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )

    async def retention_job() -> None:
        await retention_tick(runtime)

    scheduler.add_job(
        retention_job,
        "interval",
        hours=runtime.settings.retention_interval_hours,
        id=RETENTION_JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    return scheduler
