"""The console's filters reach their indexes: the JSON key is written into the SQL, and two
keys never share a cached statement."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from backend.applications.queries import Filters, filtered
from backend.db.json_text import json_text
from backend.db.session import make_engine
from backend.people.models import Beneficiary
from backend.staff.service import Principal

ADMIN = Principal(1, "a@example.org", "A", "admin", frozenset(), 1)


async def test_each_key_reads_its_own_field(database_url: str) -> None:
    db = make_engine(database_url)
    async with db.begin() as connection:
        await connection.execute(
            Beneficiary.__table__.insert(),
            [{"channel": "telegram", "address": "1", "language": "fr",
              "profile": {"governorate": "kebili", "country": "tn"}, "state": {},
              "reminders_opt_out": False, "unreachable": False}],
        )  # fmt: skip
        for key, value in (
            ("governorate", "kebili"),
            ("country", "tn"),
            ("governorate", "kebili"),
        ):
            found = await connection.scalar(select(json_text(Beneficiary.profile, key)))
            assert found == value
    await db.dispose()


async def test_the_governorate_filter_reads_the_index(database_url: str) -> None:
    db = make_engine(database_url)
    query = filtered(ADMIN, Filters(governorate="kasserine"), ZoneInfo("Africa/Tunis"))
    sql = str(query.compile(db.sync_engine, compile_kwargs={"literal_binds": True}))
    async with db.connect() as connection:
        if db.dialect.name == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))
            plan = " ".join(str(r[0]) for r in await connection.execute(text("EXPLAIN " + sql)))
        else:
            rows = await connection.execute(text("EXPLAIN QUERY PLAN " + sql))
            plan = " ".join(str(r[-1]) for r in rows)
    await db.dispose()
    assert "ix_beneficiaries_governorate" in plan
