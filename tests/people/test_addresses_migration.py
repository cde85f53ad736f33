"""Migrating to one person with several addresses loses nothing: every person keeps their
row, their applications and enrollments (which a careless SQLite rebuild would cascade away),
and gains one address and one consent row."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from backend.db.migrate import downgrade, upgrade
from backend.db.session import make_engine

BEFORE = [
    "INSERT INTO beneficiaries (id, channel, address, language, profile, state, consent_version,"
    " consent_at, reminders_opt_out, unreachable, created_at, channel_name) VALUES"
    " (41, 'telegram', '1001', 'ar', '{\"gender\": \"f\"}', '{}', 'v3', '2026-01-02 10:00:00',"
    " false, false, '2026-01-01 09:00:00', 'Amina'),"
    " (42, 'whatsapp', '21650000001', 'fr', '{}', '{}', NULL, NULL, false, false,"
    " '2026-01-03 09:00:00', NULL)",
    "INSERT INTO applications (id, beneficiary_id, program, reference, status, answers,"
    " attachments, language, submitted_at, updated_at) VALUES (7, 41, 'iess', 'IESS-7',"
    " 'submitted', '{}', '[]', 'ar', '2026-01-02 11:00:00', '2026-01-02 11:00:00')",
    "INSERT INTO trainings (id, program, title, location, starts_at, status, schedule_version,"
    " created_at, updated_at) VALUES (3, 'iess', 'Gestion', 'Tunis', '2026-02-01 09:00:00',"
    " 'scheduled', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO enrollments (id, training_id, beneficiary_id, status, source, created_at)"
    " VALUES (5, 3, 41, 'enrolled', 'staff', '2026-01-05 00:00:00')",
]


async def _run(url: str, statements: list[str]) -> list[list[Any]]:
    engine = make_engine(url)
    out: list[list[Any]] = []
    async with engine.begin() as connection:
        for statement in statements:
            result = await connection.execute(text(statement))
            out.append([tuple(row) for row in result] if result.returns_rows else [])
    await engine.dispose()
    return out


def test_every_person_becomes_one_person_with_one_address(database_url: str) -> None:
    downgrade(database_url, "0011")
    try:
        asyncio.run(_run(database_url, BEFORE))
        upgrade(database_url)
        people, addresses, consents, applications, enrollments = asyncio.run(
            _run(
                database_url,
                [
                    "SELECT id, channel, address FROM beneficiaries ORDER BY id",
                    "SELECT beneficiary_id, channel, address, slot, language, channel_name"
                    " FROM addresses ORDER BY beneficiary_id",
                    "SELECT beneficiary_id, version FROM consents",
                    "SELECT id, beneficiary_id FROM applications",
                    "SELECT id, beneficiary_id FROM enrollments",
                ],
            )
        )
    finally:
        asyncio.run(
            _run(
                database_url,
                [
                    "DELETE FROM enrollments",
                    "DELETE FROM trainings",
                    "DELETE FROM applications",
                    "DELETE FROM beneficiaries",
                ],
            )
        )
        upgrade(database_url)
    assert people == [(41, "telegram", "1001"), (42, "whatsapp", "21650000001")]
    assert addresses == [
        (41, "telegram", "1001", 0, "ar", "Amina"),
        (42, "whatsapp", "21650000001", 0, "fr", None),
    ]
    assert consents == [(41, "v3")]
    assert applications == [(7, 41)]
    assert enrollments == [(5, 41)]


def test_a_shared_number_can_carry_two_people_after_the_migration(database_url: str) -> None:
    statements = [
        "INSERT INTO beneficiaries (id, channel, address, language, profile, state,"
        " reminders_opt_out, unreachable, created_at, link_failures) VALUES"
        " (61, 'whatsapp', '21650000009', 'ar', '{}', '{}', false, false,"
        " '2026-01-01 00:00:00', 0),"
        " (62, 'whatsapp', '21650000009', 'ar', '{}', '{}', false, false,"
        " '2026-01-01 00:00:00', 0)"
    ]
    asyncio.run(_run(database_url, statements))
    try:
        (rows,) = asyncio.run(
            _run(
                database_url, ["SELECT count(*) FROM beneficiaries WHERE address = '21650000009'"]
            )
        )
    finally:
        asyncio.run(_run(database_url, ["DELETE FROM beneficiaries"]))
    assert rows == [(2,)]
