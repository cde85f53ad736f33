"""Console pages through the real app (httpx ASGI transport, a signed-in session): the inbox,
the application list and a person search, with 100,000 people, 200,000 applications and 5,000
open cases; p50 and p95 per page, for an agent of two programs and for an admin.

SQLite always; PostgreSQL too when ``MASSAR_BENCH_DATABASE_URL`` (a disposable database: its
schema is dropped) or ``MASSAR_TEST_DATABASE_URL`` is set. ``MASSAR_BENCH_PEOPLE`` scales the
data (applications are twice the people, open cases a twentieth).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from backend.app.main import create_app
from backend.applications.models import Application
from backend.cases.models import Case
from backend.console.sessions import COOKIE, open_session
from backend.db.migrate import upgrade
from backend.db.session import make_engine
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.settings import Settings
from backend.staff.models import Staff, StaffProgram

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PROGRAMS = ("iess", "utss-cad", "joud-nefzaoua", "lemma-mahdia", "essor-biosp")
PREFIXES = {"iess": "IESS", "utss-cad": "UTSS", "joud-nefzaoua": "JOUD", "lemma-mahdia": "LEMMA",
            "essor-biosp": "BIOSP"}  # fmt: skip
STATUSES = ("submitted", "submitted", "submitted", "accepted", "rejected", "waitlisted")
GOVERNORATES = ("kasserine", "kebili", "mahdia", "beja", "tunis", "sfax", "gafsa", "sidi_bouzid")
FIRST = ("Amina", "Mohamed", "Salma", "Youssef", "Ines", "Karim", "Nour", "Hedi", "Rim", "Sami")
LAST = ("Ben Salah", "Trabelsi", "Gharbi", "Jlassi", "Mejri", "Ouerghemmi", "Hammami", "Zouari")
CHUNK = 5_000
REQUESTS = 40


def run() -> None:
    """Print the figures for SQLite, and PostgreSQL when configured."""
    people = int(os.environ.get("MASSAR_BENCH_PEOPLE", "100000"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'console.db'}"
        upgrade(url)
        asyncio.run(_measure("SQLite", url, people))
    postgres = os.environ.get("MASSAR_BENCH_DATABASE_URL") or os.environ.get(
        "MASSAR_TEST_DATABASE_URL"
    )
    if postgres:
        asyncio.run(_reset(postgres))
        upgrade(postgres)
        asyncio.run(_measure("PostgreSQL", postgres, people))


async def _reset(url: str) -> None:
    db = make_engine(url)
    async with db.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await db.dispose()


async def _insert(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(table), rows[start : start + CHUNK])


async def _fill(url: str, people: int) -> None:
    """Bulk inserts: people, two applications each, one open case per twenty people."""
    rng = random.Random(7)
    db = make_engine(url)
    async with db.begin() as connection:
        await _insert(
            connection,
            Beneficiary.__table__,
            [
                {"id": i, "channel": "telegram", "address": str(10_000_000 + i), "language": "fr",
                 "profile": {"governorate": rng.choice(GOVERNORATES), "country": "tn"},
                 "state": {}, "reminders_opt_out": False, "unreachable": False,
                 "created_at": NOW - timedelta(days=400) + timedelta(seconds=i * 300)}
                for i in range(1, people + 1)
            ],
        )  # fmt: skip
        counters = dict.fromkeys(PROGRAMS, 0)
        applications = []
        for n in range(people * 2):
            person = n // 2 + 1
            program = PROGRAMS[(person + n) % len(PROGRAMS)]
            counters[program] += 1
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {person}"
            applications.append(
                {"reference": f"{PREFIXES[program]}-2026-{counters[program]:06d}",
                 "program": program, "beneficiary_id": person, "language": "fr",
                 "answers": {"full_name": name, "phone": f"+2169{person:07d}"},
                 "attachments": [], "status": rng.choice(STATUSES),
                 "submitted_at": NOW - timedelta(minutes=rng.randrange(525_600)),
                 "updated_at": NOW}
            )  # fmt: skip
        await _insert(connection, Application.__table__, applications)
        await _insert(
            connection,
            Case.__table__,
            [
                {"beneficiary_id": person, "program": PROGRAMS[person % len(PROGRAMS)],
                 "status": "open", "reason": "asked", "attachments": [],
                 "opened_at": NOW - timedelta(minutes=person % 5000)}
                for person in range(1, people + 1, 20)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(Staff),
            [
                {"id": 1, "email": "admin@bench.test", "name": "Admin", "role": "admin",
                 "active": True, "created_at": NOW},
                {"id": 2, "email": "agent@bench.test", "name": "Agent", "role": "agent",
                 "active": True, "created_at": NOW},
            ],
        )  # fmt: skip
        await connection.execute(
            insert(StaffProgram),
            [{"staff_id": 2, "program": "iess"}, {"staff_id": 2, "program": "utss-cad"}],
        )
        if connection.dialect.name == "postgresql":
            for table in ("beneficiaries", "staff"):
                await connection.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")  # noqa: S608
                )
        else:
            await connection.execute(text("ANALYZE"))
    if db.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        async with db.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    await db.dispose()


async def _measure(name: str, url: str, people: int) -> None:
    started = time.perf_counter()
    await _fill(url, people)
    filled = time.perf_counter() - started
    print(
        f"console pages ({name}): {people:,} people, {people * 2:,} applications, "
        f"{len(range(1, people + 1, 20)):,} open cases, generated in {filled:.0f} s"
    )
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    runtime = Runtime.build(settings, clock=lambda: NOW)
    app = create_app(runtime=runtime, background=False)
    pages = {
        "inbox": "/console/",
        "applications": "/console/applications",
        "applications, filtered": "/console/applications?status=accepted&governorate=kasserine",
        "person search": "/console/people?q=Trabelsi%2012",
    }
    try:
        for staff_id, role in ((2, "agent of 2 programs"), (1, "admin")):
            async with runtime.sessions() as session, session.begin():
                token, _row = await open_session(
                    session, staff_id=staff_id, language="fr", now=NOW
                )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://massar.test", cookies={COOKIE: token}
            ) as client:
                for label, path in pages.items():
                    timings = await _time(client, path)
                    p50 = statistics.median(timings)
                    p95 = statistics.quantiles(timings, n=20)[-1]
                    print(f"  {label} ({role}): p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    finally:
        await runtime.close()


async def _time(client: httpx.AsyncClient, path: str) -> list[float]:
    """Milliseconds per request, after two warm-up requests."""
    timings = []
    for n in range(REQUESTS + 2):
        started = time.perf_counter()
        response = await client.get(path, headers={"Accept": "text/html"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        if n >= 2:
            timings.append(elapsed)
    return timings


if __name__ == "__main__":
    run()
