"""Fixtures for loans, reminders, broadcasts and surveys: a runtime with a recording channel,
people made directly in the database, and times written in Tunis local time."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.conversations.models import OutboxMessage
from backend.loans.schedule import Frequency
from backend.loans.service import LoanTerms, create_loan
from backend.people.addresses import add_address
from backend.people.models import Beneficiary
from backend.reminders.models import Reminder
from backend.reminders.policy import policy_of
from backend.runtime import Runtime
from backend.scheduler import TickReport, tick
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock

TUNIS = ZoneInfo("Africa/Tunis")
_addresses = itertools.count(1)


def tunis(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Tunis wall-clock time, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=TUNIS).astimezone(UTC)


@pytest.fixture
def adapter() -> RecordingAdapter:
    return RecordingAdapter()


def build(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter, **overrides: Any
) -> Runtime:
    """A runtime on the test database with the recording channel ``test``."""
    if overrides:
        settings = settings.model_copy(update=overrides)
    return Runtime.build(settings, clock=clock, extra_adapters=(adapter,), raise_errors=True)


@pytest.fixture
async def rt(
    settings: Settings, clock: FakeClock, adapter: RecordingAdapter
) -> AsyncIterator[Runtime]:
    runtime = build(settings, clock, adapter)
    yield runtime
    await runtime.close()


async def add_person(
    runtime: Runtime,
    *,
    language: str = "fr",
    profile: dict[str, Any] | None = None,
    opted_out: bool = False,
    program: str | None = None,
    status: str = "accepted",
    consented: bool = True,
) -> int:
    """Someone on the ``test`` channel, with an application to ``program`` if given.

    People who used the bot agreed to the consent text (applying needs it); ``consented=False``
    is someone who only typed /start.
    """
    async with runtime.sessions() as session, session.begin():
        person = Beneficiary(
            channel="test",
            address=f"person-{next(_addresses)}",
            language=language,
            profile=profile or {},
            state={"node": "menu", "params": {}},  # someone who has used the bot
            reminders_opt_out=opted_out,
            unreachable=False,
            created_at=runtime.clock(),
            consent_version="test" if consented else None,
            consent_at=runtime.clock() if consented else None,
        )
        session.add(person)
        await add_address(session, person, now=runtime.clock())
        if program is not None:
            session.add(
                Application(
                    reference=f"T-{person.id}-{program}",
                    program=program,
                    beneficiary_id=person.id,
                    answers={},
                    attachments=[],
                    language=language,
                    status=status,
                    submitted_at=runtime.clock(),
                    updated_at=runtime.clock(),
                )
            )
        return person.id


async def open_loan(
    runtime: Runtime,
    person_id: int,
    *,
    principal_minor: int = 900_000,
    installments: int = 3,
    first_due_date: date = date(2026, 12, 1),
    program: str = "iess",
    frequency: Frequency = Frequency.MONTHLY,
) -> int:
    """A loan opened through the service, with its reminders."""
    async with runtime.sessions() as session, session.begin():
        loan = await create_loan(
            session,
            terms=LoanTerms(
                beneficiary_id=person_id,
                program=program,
                currency="TND",
                principal_minor=principal_minor,
                installments=installments,
                frequency=frequency,
                first_due_date=first_due_date,
            ),
            staff_id=None,
            policy=policy_of(session),
            now=runtime.clock(),
        )
        return loan.id


async def reminders_of(runtime: Runtime, *where: Any) -> list[Reminder]:
    async with runtime.sessions() as session:
        rows = await session.scalars(
            select(Reminder).where(*where).order_by(Reminder.scheduled_at, Reminder.id)
        )
        return list(rows)


async def outbox_count(runtime: Runtime, *where: Any) -> int:
    async with runtime.sessions() as session:
        found = await session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))
        return int(found or 0)


async def tick_at(runtime: Runtime, clock: FakeClock, moment: datetime) -> TickReport:
    """Move the clock and tick, as the scheduler would."""
    clock.now = moment
    return await tick(runtime)
