"""Each reminder is queued exactly once: with two processes on one database, and when a
process dies in the middle of a batch and another starts again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from backend.conversations.models import OutboxMessage
from backend.loans.models import Installment, Loan
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.reminders import tick as tick_module
from backend.reminders.models import Reminder
from backend.reminders.policy import ReminderPolicy
from backend.runtime import Runtime
from backend.scheduler import tick
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.reminders.conftest import build, reminders_of
from tests.support import FakeClock

ROOT = Path(__file__).resolve().parents[2]


async def seed(runtime: Runtime, *, people: int, each: int, due_at: datetime) -> list[int]:
    """``people`` people with a loan of ``each`` installments, one reminder due per installment."""
    async with runtime.sessions() as session, session.begin():
        for number in range(people):
            person = Beneficiary(
                channel="test", address=f"p{number}", language="fr", profile={}, state={}
            )
            session.add(person)
            await add_address(session, person, now=runtime.clock())
            loan = Loan(
                program="iess",
                beneficiary_id=person.id,
                currency="TND",
                principal_minor=each * 100_000,
                installments=each,
                frequency="monthly",
                first_due_date=date(2026, 12, 1),
                grace_periods=0,
            )
            session.add(loan)
            await session.flush()
            installments = (
                await session.execute(
                    insert(Installment).returning(Installment.id),
                    [
                        {
                            "loan_id": loan.id,
                            "number": n + 1,
                            "due_on": date(2026, 12, 1) + timedelta(days=31 * n),
                            "amount_minor": 100_000,
                            "paid_minor": 0,
                        }
                        for n in range(each)
                    ],
                )
            ).scalars()
            await session.execute(
                insert(Reminder),
                [
                    {
                        "kind": "repayment_due",
                        "program": "iess",
                        "beneficiary_id": person.id,
                        "installment_id": installment,
                        "scheduled_at": due_at,
                        "due_at": due_at,
                        "status": "pending",
                        "version": 1,
                    }
                    for installment in installments
                ],
            )
    async with runtime.sessions() as session:
        return list(await session.scalars(select(Reminder.id).order_by(Reminder.id)))


async def assert_each_queued_once(runtime: Runtime, reminder_ids: list[int]) -> None:
    """One outbox row per reminder, naming it in its button, and every reminder sent."""
    async with runtime.sessions() as session:
        payloads = list(await session.scalars(select(OutboxMessage.payload)))
        grouped = await session.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        statuses = {status: count for status, count in grouped}
        linked = await session.scalar(select(func.count(func.distinct(Reminder.outbox_id))))
    named = sorted(int(p["choices"][0]["id"].split(".")[1]) for p in payloads)
    assert named == sorted(reminder_ids), "each reminder in exactly one outbox message"
    assert statuses == {"sent": len(reminder_ids)}
    assert linked == len(reminder_ids)


def now_fixed() -> datetime:
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_two_processes_ticking_together_queue_each_reminder_once(
    settings: Settings, clock: FakeClock
) -> None:
    """Two runtimes, two connection pools, one database, ticking at the same moment."""
    clock.now = now_fixed()
    small = settings.model_copy(update={"reminder_batch_size": 20})
    first = build(small, clock, RecordingAdapter())
    second = build(small, clock, RecordingAdapter())
    ids = await seed(first, people=12, each=10, due_at=clock.now - timedelta(minutes=1))
    reports = await asyncio.gather(tick(first), tick(second), tick(first), tick(second))
    assert sum(r.reminders.sent for r in reports) == len(ids) == 120
    await assert_each_queued_once(first, ids)
    await first.close()
    await second.close()


async def test_a_crash_mid_batch_loses_nothing_and_repeats_nothing(
    rt: Runtime, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = now_fixed()
    ids = await seed(rt, people=3, each=10, due_at=clock.now - timedelta(minutes=1))
    original, calls = tick_module.queue_many, 0

    async def crashing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        queued = await original(*args, **kwargs)
        if calls == 2:  # the second batch's messages are in the outbox, uncommitted
            raise RuntimeError("the process dies here")
        return queued

    monkeypatch.setattr(tick_module, "queue_many", crashing)
    policy = replace(ReminderPolicy.from_settings(rt.settings), batch_size=10)
    with pytest.raises(RuntimeError):
        await tick_module.run_reminders(
            rt.sessions, catalogs=rt.engine.catalogs, policy=policy, now=clock()
        )
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 10
        pending = await session.scalar(
            select(func.count()).where(Reminder.status == "pending").select_from(Reminder)
        )
    assert pending == len(ids) - 10, "the first batch committed, the second rolled back"
    monkeypatch.setattr(tick_module, "queue_many", original)
    await tick(rt)
    await tick(rt)
    await assert_each_queued_once(rt, ids)


async def test_a_tick_cancelled_mid_batch_rolls_back(
    rt: Runtime, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = now_fixed()
    ids = await seed(rt, people=2, each=10, due_at=clock.now - timedelta(minutes=1))
    original, stuck = tick_module.queue_many, asyncio.Event()

    async def hanging(*args: Any, **kwargs: Any) -> Any:
        queued = await original(*args, **kwargs)
        stuck.set()
        await asyncio.sleep(3600)
        return queued

    monkeypatch.setattr(tick_module, "queue_many", hanging)
    task = asyncio.create_task(tick(rt))
    await stuck.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _count(rt, OutboxMessage) == 0
    monkeypatch.setattr(tick_module, "queue_many", original)
    restarted = build(rt.settings, clock, RecordingAdapter())
    await tick(restarted)
    await assert_each_queued_once(restarted, ids)
    await restarted.close()


async def _worker(url: str, pause: int | None = None) -> asyncio.subprocess.Process:
    args = [sys.executable, "-m", "tests.reminders.worker", url]
    if pause is not None:
        args.append(str(pause))
    return await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )


async def _wait_for(process: asyncio.subprocess.Process, line: str) -> None:
    assert process.stdout is not None
    while True:
        got = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert got, f"the worker ended before printing {line!r}"
        if got.decode().strip() == line:
            return


def _real_now() -> datetime:
    return datetime.now(UTC)


async def test_two_os_processes_send_each_reminder_once(
    settings: Settings, clock: FakeClock
) -> None:
    """Real processes, as two `massar serve` would be, on the same database."""
    runtime = build(settings, clock, RecordingAdapter())
    ids = await seed(runtime, people=10, each=20, due_at=_real_now() - timedelta(minutes=1))
    workers = [await _worker(settings.database_url) for _ in range(2)]
    outputs = await asyncio.gather(*(w.communicate() for w in workers))
    assert [w.returncode for w in workers] == [0, 0]
    sent = [int(out.decode().split("sent ")[1]) for out, _ in outputs]
    assert sum(sent) == len(ids) == 200
    await assert_each_queued_once(runtime, ids)
    await runtime.close()


async def test_a_process_killed_mid_batch_neither_loses_nor_repeats_a_reminder(
    settings: Settings, clock: FakeClock
) -> None:
    runtime = build(settings, clock, RecordingAdapter())
    ids = await seed(runtime, people=5, each=12, due_at=_real_now() - timedelta(minutes=1))
    doomed = await _worker(settings.database_url, pause=2)
    await _wait_for(doomed, "paused")  # one batch of 25 committed, the next one half done
    doomed.send_signal(signal.SIGKILL)
    await doomed.wait()
    assert await _count(runtime, OutboxMessage) == 25
    assert len(await reminders_of(runtime, Reminder.status == "sent")) == 25
    survivor = await _worker(settings.database_url)
    out, _ = await survivor.communicate()
    assert survivor.returncode == 0 and out.decode().strip().endswith(f"sent {len(ids) - 25}")
    await assert_each_queued_once(runtime, ids)
    await runtime.close()


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
