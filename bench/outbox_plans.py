"""The hot queries at a large outbox: the dispatcher's claim, the web chat's fetch and the
lookup of the person writing from an address, with their query plans and times.

``MASSAR_BENCH_OUTBOX_ROWS`` sent rows (1,000,000 by default) spread over 50,000 addresses,
plus a few due ones; then ``EXPLAIN`` of both queries, which must show index scans only. SQLite
always; PostgreSQL too when ``MASSAR_BENCH_DATABASE_URL`` is set (a disposable database).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text

from backend.cases.models import Case
from backend.channels.webchat import _messages
from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox_claim import claim_turn
from backend.db.base import utcnow
from backend.db.session import make_engine, make_session_factory
from backend.people.addresses import writers_at
from bench.reminders_dispatch import _databases
from bench.seed import seed_people

#: People already there, so that finding the one writing is a lookup among many.
PEOPLE = 100_000


def run(*, only: str | None = None) -> None:
    """Print the plans and timings for each database (or the one named ``only``)."""
    rows = int(os.environ.get("MASSAR_BENCH_OUTBOX_ROWS", "1000000"))
    with tempfile.TemporaryDirectory() as folder:
        for name, fresh in _databases(Path(folder)):
            if only is None or name == only:
                asyncio.run(_plans(name, fresh(), rows))


async def _plans(name: str, url: str, count: int) -> None:
    await seed_people(url, PEOPLE)
    db = make_engine(url)
    now = utcnow()
    base = {
        "channel": "webchat",
        "payload": {"text": "x"},
        "attempts": 1,
        "next_attempt_at": now,
        "created_at": now,
        "scrub_after_send": False,
    }
    async with db.begin() as connection:
        for start in range(0, count, 20_000):
            chunk = range(start, min(start + 20_000, count))
            await connection.execute(
                insert(OutboxMessage),
                [base | {"address": str(i % 50_000), "status": "sent"} for i in chunk],
            )
        due = [base | {"address": str(i), "status": "queued", "attempts": 0} for i in range(30)]
        await connection.execute(insert(OutboxMessage), due)
        # Open cases for one person in twenty: on an empty table any plan reads it whole.
        cases = [
            {"beneficiary_id": person, "status": "open", "reason": "asked", "attachments": []}
            for person in range(1, PEOPLE + 1, 20)
        ]
        await connection.execute(insert(Case), cases)
        await connection.execute(text("ANALYZE"))
    statements: list[tuple[str, Any]] = []

    @event.listens_for(db.sync_engine, "before_cursor_execute")
    def keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        statements.append((statement, params))

    sessions = make_session_factory(db)
    dispatcher = Dispatcher(session_factory=sessions, adapters={})
    started = time.perf_counter()
    claimed = await dispatcher._claim(["webchat"])
    claim_ms = (time.perf_counter() - started) * 1000
    claim = next(s for s in statements if s[0].lstrip().upper().startswith("UPDATE OUTBOX"))
    statements.clear()
    async with sessions() as session:
        started = time.perf_counter()
        await _messages(session, "123", 0)
        fetch_ms = (time.perf_counter() - started) * 1000
    fetch = next(s for s in statements if s[0].lstrip().upper().startswith("SELECT"))
    statements.clear()
    async with sessions() as session:
        await writers_at(
            session, channel="telegram", address=str(PEOPLE // 2), default_language="fr", now=now
        )
        await session.rollback()
    lookup = next(s for s in statements if s[0].lstrip().upper().startswith("SELECT"))
    print(f"outbox plans ({name}, {count:,} rows, {PEOPLE:,} people):")
    print(
        f"  claim of {len(claimed)} due rows: {claim_ms:.1f} ms; web chat fetch {fetch_ms:.1f} ms"
    )
    explain = "EXPLAIN QUERY PLAN " if db.dialect.name == "sqlite" else "EXPLAIN "
    hot = (("claim", claim), ("web chat fetch", fetch), ("inbound person lookup", lookup))
    for label, (statement, params) in hot:
        async with db.connect() as connection, connection.begin():
            if label == "claim" and db.dialect.name == "postgresql":
                await connection.execute(claim_turn())  # the claim's own transaction settings
            plan = [
                str(r[-1]) for r in await connection.exec_driver_sql(explain + statement, params)
            ]
        scans = [p for p in plan if _reads_whole_table(p)]
        verdict = "no sequential scan" if not scans else f"SEQUENTIAL SCAN: {scans}"
        print(f"  {label}: {verdict}")
        for step in plan:
            print(f"    {step}")
    await db.dispose()


def _reads_whole_table(step: str) -> bool:
    """A plan step that reads every row of a table (SQLite's ``SCAN`` of an index is a walk of
    that index in order, which the claim stops after its batch)."""
    step = step.strip()
    if step.startswith("SCAN"):
        return "USING INDEX" not in step and "USING COVERING INDEX" not in step
    return "Seq Scan" in step
