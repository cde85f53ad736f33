"""People made straight in the database for the merge tests: addresses, and one row in every
table that references a person (a test checks that none is missing here)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from backend.broadcasts.models import Broadcast, BroadcastRecipient
from backend.cases.models import Case
from backend.conversations.models import InboundMessage, OutboxMessage
from backend.loans.models import Loan
from backend.media.models import MediaFile
from backend.people.addresses import add_person
from backend.people.models import Address, Beneficiary, Consent, LinkCode, PersonMerge
from backend.people.person_rows import references
from backend.reminders.models import Reminder
from backend.stats.models import FunnelStep
from backend.surveys.models import Survey
from backend.trainings.models import Attendance, Enrollment, Training

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_serial = itertools.count(1)


async def person(
    session: AsyncSession,
    *,
    addresses: int = 1,
    profile: dict[str, object] | None = None,
    seen: datetime | None = None,
    language: str = "fr",
) -> Beneficiary:
    """A person with ``addresses`` addresses (Telegram first, then WhatsApp numbers)."""
    first = f"tg{next(_serial)}"
    someone = await add_person(
        session, channel="telegram", address=first, language=language, now=T0
    )
    someone.profile = dict(profile or {})
    someone.last_inbound_at = seen
    for n in range(addresses):
        channel, where = ("telegram", first) if n == 0 else ("whatsapp", f"216{next(_serial)}")
        session.add(
            Address(
                beneficiary_id=someone.id,
                channel=channel,
                address=where,
                slot=0,
                language=language,
                created_at=T0,
                last_inbound_at=seen,
            )
        )
    await session.flush()
    return someone


async def training(session: AsyncSession, program: str = "iess") -> Training:
    row = Training(program=program, title="Gestion", location="Tunis", starts_at=T0)
    session.add(row)
    await session.flush()
    return row


async def broadcast(session: AsyncSession) -> Broadcast:
    row = Broadcast(program="iess", segment={}, texts={"fr": "Bonjour"}, send_at=T0)
    session.add(row)
    await session.flush()
    return row


Maker = Callable[[AsyncSession, int], Awaitable[object]]


async def _address(s: AsyncSession, who: int) -> object:
    return Address(
        beneficiary_id=who, channel="webchat", address=f"w{next(_serial)}", language="fr"
    )


async def _application(s: AsyncSession, who: int) -> object:
    n = next(_serial)
    return Application(
        reference=f"IESS-T-{n}", program="iess", beneficiary_id=who, answers={}, language="fr"
    )


async def _enrollment(s: AsyncSession, who: int) -> object:
    return Enrollment(training_id=(await training(s)).id, beneficiary_id=who)


async def _attendance(s: AsyncSession, who: int) -> object:
    return Attendance(training_id=(await training(s)).id, beneficiary_id=who, status="present")


async def _recipient(s: AsyncSession, who: int) -> object:
    return BroadcastRecipient(
        broadcast_id=(await broadcast(s)).id, beneficiary_id=who, status="sent"
    )


async def _reminder(s: AsyncSession, who: int) -> object:
    return Reminder(
        kind="training", program="iess", beneficiary_id=who, scheduled_at=T0, due_at=T0
    )


async def _merge(s: AsyncSession, who: int) -> object:
    return PersonMerge(beneficiary_id=who, absorbed_id=999_000 + next(_serial), merged_by="staff")


#: One row of each table that references a person, for person ``who``.
MAKERS: dict[str, Maker] = {
    "addresses": _address,
    "applications": _application,
    "broadcast_recipients": _recipient,
    "cases": lambda s, who: _ready(Case(beneficiary_id=who, program="iess", reason="agent")),
    "consents": lambda s, who: _ready(Consent(beneficiary_id=who, version="v1", given_at=T0)),
    "enrollments": _enrollment,
    "funnel_steps": lambda s, who: _ready(
        FunnelStep(beneficiary_id=who, program="iess", stage=f"s{next(_serial)}")
    ),
    "inbound_messages": lambda s, who: _ready(
        InboundMessage(channel="telegram", external_id=f"m{next(_serial)}", beneficiary_id=who)
    ),
    "link_codes": lambda s, who: _ready(
        LinkCode(beneficiary_id=who, digest="0" * 64, expires_at=T0 + timedelta(minutes=10))
    ),
    "loans": lambda s, who: _ready(
        Loan(
            program="iess",
            beneficiary_id=who,
            currency="TND",
            principal_minor=1000,
            installments=2,
            frequency="monthly",
            first_due_date=date(2026, 4, 1),
        )
    ),
    "media_files": lambda s, who: _ready(
        MediaFile(
            beneficiary_id=who, channel="telegram", reference=f"f{next(_serial)}", kind="photo"
        )
    ),
    "outbox": lambda s, who: _ready(
        OutboxMessage(beneficiary_id=who, channel="telegram", address="1", payload={})
    ),
    "person_merges": _merge,
    "reminders": _reminder,
    "surveys": lambda s, who: _ready(
        Survey(program="iess", beneficiary_id=who, round=1, months=3, due_at=T0)
    ),
    "training_attendance": _attendance,
}


async def _ready(row: object) -> object:
    return row


async def add_row(session: AsyncSession, table: str, who: int) -> int:
    """One new row of ``table`` belonging to ``who``; its id."""
    row = await MAKERS[table](session, who)
    session.add(row)
    await session.flush()
    return int(row.id)  # type: ignore[attr-defined]


async def owners(session: AsyncSession) -> dict[tuple[str, int], int | None]:
    """(table, row id) -> person, for every row of every table that references a person."""
    found: dict[tuple[str, int], int | None] = {}
    for ref in references():
        rows = await session.execute(select(ref.table.c.id, ref.column))
        for row_id, who in rows:
            found[(ref.table.name, int(row_id))] = who
    return found


async def addresses_of(session: AsyncSession) -> dict[int, set[int]]:
    """Person -> the ids of their addresses."""
    found: dict[int, set[int]] = {}
    for who, address_id in await session.execute(select(Address.beneficiary_id, Address.id)):
        found.setdefault(int(who), set()).add(int(address_id))
    return found


def referencing_tables() -> set[str]:
    """Every table with a column that points at a person."""
    return {ref.table.name for ref in references()}
