"""Reminders through the whole path: 100,000 due reminders claimed by the tick, rendered and
queued; the dispatcher sending them to a channel double held to a rate limit (for at most
``MASSAR_BENCH_SECONDS``, so the run stays short); then the time to claim one batch with
10,000 and with 1,000,000 pending rows.

SQLite always; PostgreSQL too when ``MASSAR_BENCH_DATABASE_URL`` is set (a disposable
database: its ``public`` schema is dropped and re-created). ``MASSAR_BENCH_REMINDERS`` and
``MASSAR_BENCH_RATE`` change the count and the limit.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, insert, text

from backend.db.claim import claim_due
from backend.db.migrate import upgrade
from backend.db.session import make_engine
from backend.loans.models import Installment, Loan
from backend.people.addresses import address_values
from backend.people.models import Address, Beneficiary
from backend.reminders.models import Reminder
from backend.reminders.policy import ReminderPolicy
from backend.reminders.tick import reminder_batch
from backend.runtime import Runtime
from backend.settings import Settings
from bot.base import SendResult
from bot.ratelimit import TokenBucket
from conversations.messages import Outgoing

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PER_PERSON = 10
#: WhatsApp Cloud API's default limit per phone number, messages a second.
REALISTIC = 80.0
CHUNK = 5_000


class LimitedChannel:
    """A channel that accepts everything, no faster than ``rate`` messages a second.

    It waits on the token bucket adapters use (:mod:`bot.ratelimit`), without the second's
    worth of burst a fresh limiter allows, so the rate measured is the steady one.
    """

    name = "bench"

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.bucket = TokenBucket(rate, 1.0)
        self.lock = asyncio.Lock()
        self.sent = 0

    async def send(self, address: str, message: Outgoing) -> SendResult:
        async with self.lock:
            delay = self.bucket.take()
        if delay > 0:
            await asyncio.sleep(delay)
        self.sent += 1
        return SendResult()


def run() -> None:
    """Print the figures for SQLite, and PostgreSQL when configured."""
    count = int(os.environ.get("MASSAR_BENCH_REMINDERS", "100000"))
    rate = float(os.environ.get("MASSAR_BENCH_RATE", "2000"))
    budget = float(os.environ.get("MASSAR_BENCH_SECONDS", "20"))
    with tempfile.TemporaryDirectory() as folder:
        for name, fresh in _databases(Path(folder)):
            asyncio.run(_dispatch(name, fresh(), count, rate, budget))
            small = asyncio.run(_claim_timing(fresh(), 10_000))
            large = asyncio.run(_claim_timing(fresh(), 1_000_000))
            print(
                f"  claim a batch of 500 ({name}): {small * 1000:.1f} ms with 10,000 pending, "
                f"{large * 1000:.1f} ms with 1,000,000 pending (ratio {large / small:.2f})"
            )


def _databases(folder: Path) -> list[tuple[str, Callable[[], str]]]:
    """Factories of freshly migrated databases (call them outside an event loop)."""
    runs = iter(range(100))

    def sqlite() -> str:
        url = f"sqlite+aiosqlite:///{folder / f'bench-{next(runs)}.db'}"
        upgrade(url)
        return url

    found: list[tuple[str, Callable[[], str]]] = [("SQLite", sqlite)]
    postgres = os.environ.get("MASSAR_BENCH_DATABASE_URL")
    if postgres:

        def fresh() -> str:
            asyncio.run(_reset(postgres))
            upgrade(postgres)
            return postgres

        found.append(("PostgreSQL", fresh))
    return found


async def _reset(url: str) -> None:
    db = make_engine(url)
    async with db.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await db.dispose()


async def _dispatch(name: str, url: str, count: int, rate: float, budget: float) -> None:
    """The tick turns every due reminder into an outbox message; then the dispatcher sends
    to the rate-limited double, at the configured limit and at WhatsApp's default 80/s."""
    settings = Settings(  # type: ignore[call-arg]
        database_url=url,
        quiet_hours="off",
        reminder_batch_size=1000,
        outbox_batch_size=200,
        _env_file=None,
    )
    fast, realistic = LimitedChannel(rate), LimitedChannel(REALISTIC)
    runtime = Runtime.build(settings, clock=lambda: NOW, extra_adapters=(fast,))
    await _seed_due(runtime, count)
    policy = ReminderPolicy.from_settings(settings)
    started = time.perf_counter()
    queued = 0
    while True:
        batch = await reminder_batch(
            runtime.sessions, catalogs=runtime.engine.catalogs, policy=policy, now=NOW
        )
        if not batch.claimed:
            break
        queued += batch.sent
    ticked = time.perf_counter() - started
    print(
        f"reminders ({name}): the tick queued {queued:,} of {count:,} due reminders in "
        f"{ticked:.1f} s = {queued / ticked:,.0f}/s"
    )
    for channel, seconds in ((fast, budget), (realistic, budget / 2)):
        runtime.dispatcher.add_adapter(channel)
        achieved = await _send_for(runtime, channel, seconds)
        limit = channel.rate
        print(
            f"  dispatch at a limit of {limit:,.0f}/s: {channel.sent:,} sent, "
            f"{achieved:,.0f}/s = {achieved / limit:.2f} of the limit"
        )
    await runtime.close()


async def _send_for(runtime: Runtime, channel: LimitedChannel, seconds: float) -> float:
    """Send until the outbox is empty or ``seconds`` have passed; the rate achieved."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if not await runtime.dispatcher.run_once(channels=["bench"]):
            break
    return channel.sent / (time.perf_counter() - started)


async def _seed_due(runtime: Runtime, count: int) -> None:
    """``count`` due reminders: people of ten installments each, one reminder per installment."""
    people = max(1, count // PER_PERSON)
    async with runtime.sessions() as session, session.begin():
        for start in range(0, people, CHUNK):
            size = min(CHUNK, people - start)
            person_ids = list(
                (
                    await session.execute(
                        insert(Beneficiary).returning(Beneficiary.id),
                        [
                            {
                                "channel": "bench",
                                "address": f"b{start + n}",
                                "language": "fr",
                                "profile": {},
                                "state": {},
                            }
                            for n in range(size)
                        ],
                    )
                ).scalars()
            )
            await session.execute(
                insert(Address),
                [
                    address_values(
                        beneficiary_id=person_id,
                        channel="bench",
                        address=f"b{start + n}",
                        language="fr",
                        now=NOW,
                    )
                    for n, person_id in enumerate(person_ids)
                ],
            )
            loan_ids = list(
                (
                    await session.execute(
                        insert(Loan).returning(Loan.id),
                        [
                            {
                                "program": "iess",
                                "beneficiary_id": p,
                                "currency": "TND",
                                "principal_minor": PER_PERSON * 100_000,
                                "installments": PER_PERSON,
                                "frequency": "monthly",
                                "first_due_date": date(2026, 12, 1),
                                "grace_periods": 0,
                            }
                            for p in person_ids
                        ],
                    )
                ).scalars()
            )
            installment_rows = [
                {
                    "loan_id": loan,
                    "number": n + 1,
                    "due_on": date(2026, 12, 1),
                    "amount_minor": 100_000,
                    "paid_minor": 0,
                }
                for loan in loan_ids
                for n in range(PER_PERSON)
            ]
            installment_ids = list(
                (
                    await session.execute(
                        insert(Installment).returning(Installment.id, Installment.loan_id),
                        installment_rows,
                    )
                ).tuples()
            )
            owner = dict(zip(loan_ids, person_ids, strict=True))
            await session.execute(
                insert(Reminder),
                [
                    _reminder(owner[loan], installment, NOW - timedelta(minutes=5))
                    for installment, loan in installment_ids
                ],
            )


def _reminder(person: int, installment: int | None, due_at: datetime) -> dict[str, Any]:
    return {
        "kind": "repayment_due",
        "program": "iess",
        "beneficiary_id": person,
        "installment_id": installment,
        "scheduled_at": due_at,
        "due_at": due_at,
        "status": "pending",
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }


async def _claim_timing(url: str, pending: int, repeats: int = 15) -> float:
    db = make_engine(url)
    async with db.begin() as connection:
        person = (
            await connection.execute(
                insert(Beneficiary).returning(Beneficiary.id),
                [
                    {
                        "channel": "bench",
                        "address": "claims",
                        "language": "fr",
                        "profile": {},
                        "state": {},
                    }
                ],
            )
        ).scalar_one()
        await connection.execute(
            insert(Address),
            [
                address_values(
                    beneficiary_id=person,
                    channel="bench",
                    address="claims",
                    language="fr",
                    now=NOW,
                )
            ],
        )
    await _bulk_reminders(db, person, pending)
    from sqlalchemy.ext.asyncio import async_sessionmaker

    sessions = async_sessionmaker(db, expire_on_commit=False)
    due = and_(Reminder.status == "pending", Reminder.due_at <= NOW)
    samples = []
    for _ in range(repeats):
        async with sessions() as session:
            started = time.perf_counter()
            async with session.begin():
                rows = await claim_due(
                    session, Reminder, due=due, order_by=Reminder.due_at, limit=500
                )
                samples.append(time.perf_counter() - started)
                assert len(rows) == 500  # noqa: S101 - the benchmark checks itself
                await session.rollback()
    await db.dispose()
    return statistics.median(samples)


async def _bulk_reminders(db: Any, person: int, count: int) -> None:
    """Insert ``count`` pending reminders, due over the past day, as fast as the driver can."""
    step = timedelta(days=1) / count
    rows = [_reminder(person, None, NOW - step * n) for n in range(count)]
    if db.dialect.name == "postgresql":
        async with db.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            columns = list(rows[0])
            await raw.copy_records_to_table(
                "reminders",
                records=[tuple(r[c] for c in columns) for r in rows],
                columns=columns,
            )
        return
    async with db.begin() as connection:
        for start in range(0, count, 50_000):
            await connection.execute(insert(Reminder), rows[start : start + 50_000])
