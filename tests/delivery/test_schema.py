"""The database refuses a status, role or direction no code knows, and a payment above what is
due; the outbox claim reads indexes only, at any outbox size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.cases.models import CaseMessage
from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox_claim import claim_turn
from backend.db.base import utcnow
from backend.db.constraints import CHECKS
from backend.db.session import make_engine, make_session_factory
from backend.loans.models import Installment, Loan
from backend.staff.models import Staff

NOW = utcnow()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


def outbox_row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "channel": "telegram",
        "address": "42",
        "payload": {"text": "x"},
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": NOW,
        "created_at": NOW,
        "scrub_after_send": False,
    }
    return row | values


async def refused(db: AsyncEngine, statement: Any, name: str) -> None:
    with pytest.raises(IntegrityError) as error:
        async with db.begin() as connection:
            await connection.execute(statement)
    assert name in str(error.value)


async def test_unknown_statuses_roles_and_directions_are_refused(db: AsyncEngine) -> None:
    await refused(db, insert(OutboxMessage).values(outbox_row(status="snet")), "ck_outbox_status")
    async with db.begin() as connection:
        await connection.execute(insert(OutboxMessage).values(outbox_row()))
    await refused(
        db, update(OutboxMessage).values(delivery_status="seen"), "ck_outbox_delivery_status"
    )
    await refused(
        db,
        insert(Staff).values(email="a@b.test", name="A", role="root", active=True, created_at=NOW),
        "ck_staff_role",
    )
    await refused(
        db,
        insert(CaseMessage).values(case_id=1, direction="up", created_at=NOW),
        "ck_case_messages_direction",
    )


async def test_a_payment_above_the_installment_is_refused(db: AsyncEngine) -> None:
    async with db.begin() as connection:
        await connection.execute(
            insert(Loan).values(
                id=1,
                program="iess",
                currency="TND",
                principal_minor=1000,
                installments=1,
                frequency="monthly",
                first_due_date=date(2027, 1, 1),
                status="active",
                created_at=NOW,
            )
        )
        await connection.execute(
            insert(Installment).values(
                loan_id=1, number=1, due_on=date(2027, 1, 1), amount_minor=1000, paid_minor=1000
            )
        )
    await refused(db, text("UPDATE installments SET paid_minor = 1001"), "ck_installments_paid")


def test_the_models_declare_every_check_of_the_migration() -> None:
    from backend.db.models import Base

    for table, checks in CHECKS.items():
        declared = {c.name for c in Base.metadata.tables[table].constraints}
        assert set(checks) <= declared, table


async def test_the_claim_reads_only_indexes_at_any_outbox_size(db: AsyncEngine) -> None:
    rows = [outbox_row(status="sent", address=str(i % 500)) for i in range(5000)]
    async with db.begin() as connection:
        await connection.execute(insert(OutboxMessage), rows)
        await connection.execute(insert(OutboxMessage), [outbox_row() for _ in range(5)])
        await connection.execute(text("ANALYZE"))
    claims: list[tuple[str, Any]] = []

    @event.listens_for(db.sync_engine, "before_cursor_execute")
    def keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX SET CLAIMED_UNTIL"):
            claims.append((statement, params))

    dispatcher = Dispatcher(session_factory=make_session_factory(db), adapters={})
    assert len(await dispatcher._claim(["telegram"])) == 5
    statement, params = claims[0]
    async with db.connect() as connection:
        if db.dialect.name == "sqlite":
            plan = [
                r[-1]
                for r in await connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, params
                )
            ]
            # The one scan allowed walks the index of unsent rows, in order, up to the batch.
            scans = [step for step in plan if step.startswith("SCAN")]
            assert scans == ["SCAN candidate USING INDEX ix_outbox_pending"], plan
        else:
            await connection.exec_driver_sql("SET enable_seqscan = off")
            plan = [r[0] for r in await connection.exec_driver_sql("EXPLAIN " + statement, params)]
            assert not [step for step in plan if "Seq Scan" in step], plan
            assert any("ix_outbox_pending" in step for step in plan), plan


async def test_the_claim_walks_unsent_rows_in_order_with_stale_statistics(db: AsyncEngine) -> None:
    """Right after a broadcast is queued, no statistics describe it yet (SQLite keeps none
    unless ANALYZE ran; PostgreSQL's autovacuum comes a minute later). The claim must still
    walk the unsent rows in id order and stop after its batch, never read all and sort them."""
    async with db.begin() as connection:
        queued = [outbox_row(address=str(i % 500)) for i in range(3000)]
        await connection.execute(insert(OutboxMessage), queued)
    async with db.begin() as connection:  # the first thousand went out
        first = select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1000)
        await connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(first.scalar_subquery()))
            .values(status="sent")
        )
        if db.dialect.name == "postgresql":
            # As on a table never analyzed (the test database keeps other tests' statistics).
            await connection.execute(
                text("DELETE FROM pg_statistic WHERE starelid = 'outbox'::regclass")
            )
            await connection.execute(
                text("UPDATE pg_class SET reltuples = -1 WHERE oid = 'outbox'::regclass")
            )
    claims: list[tuple[str, Any]] = []

    @event.listens_for(db.sync_engine, "before_cursor_execute")
    def keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX SET CLAIMED_UNTIL"):
            claims.append((statement, params))

    dispatcher = Dispatcher(session_factory=make_session_factory(db), adapters={}, batch_size=50)
    async with db.connect() as connection:
        unsent = select(OutboxMessage.id).where(OutboxMessage.status == "queued")
        oldest = list(await connection.scalars(unsent.order_by(OutboxMessage.id).limit(50)))
    claimed = await dispatcher._claim(["telegram"])
    assert [row.id for row in claimed] == oldest
    statement, params = claims[0]
    async with db.connect() as connection, connection.begin():
        if db.dialect.name == "sqlite":
            plan = [
                r[-1]
                for r in await connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, params
                )
            ]
            assert "SCAN candidate USING INDEX ix_outbox_pending" in plan, plan
            assert not [step for step in plan if "TEMP B-TREE" in step], plan
        else:
            await connection.execute(claim_turn())  # what the claim's transaction plans with
            plan = [r[0] for r in await connection.exec_driver_sql("EXPLAIN " + statement, params)]
            assert not [step for step in plan if "Sort" in step], plan
            assert any("Index Scan using ix_outbox_pending on" in step for step in plan), plan
