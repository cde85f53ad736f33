"""Who is writing from a channel address, and where a person's other messages go.

A message arrives on (channel, address). Its address rows say which people write from there:
none (a first contact: a new person with one address), one (the usual case), or several (a
number a family shares). The person's ``channel``/``address``/``language`` follow the address
they last wrote from; :func:`reply_through` is the one place that sets them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.open import open_case_exists
from backend.db.dialect import insert_for, is_postgres
from backend.people.models import Address, Beneficiary, Consent


@dataclass(frozen=True)
class Writers:
    """The people who write from one channel address, the most recently chosen first, and
    which of them staff have a conversation open with (read in the same statement)."""

    rows: tuple[tuple[Beneficiary, Address], ...]
    open_cases: frozenset[int] = frozenset()

    @property
    def shared(self) -> bool:
        """Whether more than one person writes from this address."""
        return len(self.rows) > 1


#: A channel address: (channel, address).
Key = tuple[str, str]


async def writers_at(
    session: AsyncSession, *, channel: str, address: str, default_language: str, now: datetime
) -> Writers:
    """Everyone who writes from ``address``, locked for this transaction; a first contact
    becomes a new person with this one address."""
    found = await writers_at_all(
        session, [(channel, address)], default_language=default_language, now=now
    )
    return found[(channel, address)]


async def writers_at_all(
    session: AsyncSession, keys: Iterable[Key], *, default_language: str, now: datetime
) -> dict[Key, Writers]:
    """:func:`writers_at` for many addresses at once: one statement for all of them (a batch
    of messages); the first contacts among them then cost two inserts and one more lookup.

    Creating is guarded by the unique (channel, address, slot): a second process creating the
    same first contact at the same moment finds the other's row instead of making a twin.
    """
    wanted = set(keys)
    found = await _load(session, wanted)
    missing = sorted(wanted - found.keys())
    if missing:
        await _first_contacts(session, missing, language=default_language, now=now)
        found |= await _load(session, set(missing))
    return found


async def _first_contacts(
    session: AsyncSession, keys: list[Key], *, language: str, now: datetime
) -> None:
    """A new person for each address nobody writes from yet: one insert of the people, one
    of their addresses. An address another process created meanwhile keeps the other's
    person; the one made here for it is removed."""
    people = [
        add_person_row(channel=channel, address=address, language=language, now=now)
        for channel, address in keys
    ]
    session.add_all(people)
    await session.flush()
    created = set(
        await session.scalars(
            insert_for(session)(Address)
            .values(
                [
                    address_values(
                        beneficiary_id=person.id,
                        channel=person.channel,
                        address=person.address,
                        language=language,
                        now=now,
                    )
                    for person in people
                ]
            )
            .on_conflict_do_nothing(index_elements=["channel", "address", "slot"])
            .returning(Address.beneficiary_id)
        )
    )
    for person in people:
        if person.id not in created:
            await session.delete(person)
    await session.flush()


async def add_person(
    session: AsyncSession, *, channel: str, address: str, language: str, now: datetime
) -> Beneficiary:
    """A new person whose replies go to ``address`` (their address row is the caller's)."""
    person = add_person_row(channel=channel, address=address, language=language, now=now)
    session.add(person)
    await session.flush()
    return person


def add_person_row(*, channel: str, address: str, language: str, now: datetime) -> Beneficiary:
    """The one shape of a new person: no profile, no state, reachable."""
    return Beneficiary(
        channel=channel,
        address=address,
        language=language,
        profile={},
        state={},
        reminders_opt_out=False,
        unreachable=False,
        link_failures=0,
        created_at=now,
    )


async def add_writer(
    session: AsyncSession, *, channel: str, address: str, language: str, now: datetime
) -> tuple[Beneficiary, Address]:
    """Another person on a shared address, in the next free slot (the caller holds the
    address's lock)."""
    slot = await session.scalar(
        select(func.coalesce(func.max(Address.slot), -1) + 1).where(
            Address.channel == channel, Address.address == address
        )
    )
    person = await add_person(
        session, channel=channel, address=address, language=language, now=now
    )
    row = await _insert_address(session, person, slot=int(slot or 0), now=now)
    assert row is not None  # noqa: S101 - the slot is free under the address's lock
    return person, row


async def _insert_address(
    session: AsyncSession, person: Beneficiary, *, slot: int, now: datetime
) -> Address | None:
    statement = (
        insert_for(session)(Address)
        .values(
            beneficiary_id=person.id,
            channel=person.channel,
            address=person.address,
            slot=slot,
            language=person.language,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "address", "slot"])
        .returning(Address)
    )
    row: Address | None = await session.scalar(statement)
    return row


async def _load(session: AsyncSession, keys: set[Key]) -> dict[Key, Writers]:
    """The writers of each address in ``keys`` that has any, with their open-case flags.

    On PostgreSQL the rows are locked in the order of their ids, so two transactions locking
    overlapping sets wait for each other instead of deadlocking. The lock is the one an
    ``UPDATE`` of other columns than the key takes (``FOR NO KEY UPDATE``): a row written
    elsewhere that refers to the person (an outbox row queued or recorded, a reminder) checks
    its key under a share lock, which ``FOR UPDATE`` would make wait for the whole batch, and
    the dispatcher recording results for rows of people of the batch then deadlocked with it."""
    if not keys:
        return {}
    by_channel: dict[str, set[str]] = {}
    for channel, address in keys:
        by_channel.setdefault(channel, set()).add(address)
    open_case = open_case_exists(Beneficiary.id).label("open_case")
    query = (
        select(Beneficiary, Address, open_case)
        .join(Address, Address.beneficiary_id == Beneficiary.id)
        .where(
            or_(
                *(
                    and_(Address.channel == channel, Address.address.in_(sorted(addresses)))
                    for channel, addresses in sorted(by_channel.items())
                )
            )
        )
        .order_by(Beneficiary.id, Address.id)
        .execution_options(populate_existing=True)
    )
    if is_postgres(session):
        query = query.with_for_update(of=[Beneficiary, Address], key_share=True)
    rows: dict[Key, list[tuple[Beneficiary, Address]]] = {}
    open_cases: set[int] = set()
    for person, row, is_open in (await session.execute(query)).all():
        rows.setdefault((row.channel, row.address), []).append((person, row))
        if is_open:
            open_cases.add(person.id)
    return {
        key: Writers(_one_row_each(pairs), frozenset(open_cases & {p.id for p, _ in pairs}))
        for key, pairs in rows.items()
    }


def _one_row_each(
    pairs: list[tuple[Beneficiary, Address]],
) -> tuple[tuple[Beneficiary, Address], ...]:
    """The people of one address, the one chosen last first (then by slot).

    A merge can leave one person with two rows on a number (both people shared it): they are
    still one writer, met through the row chosen last."""
    never = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(pairs, key=lambda pair: (pair[1].chosen_at or never, -pair[1].slot))
    found: dict[int, tuple[Beneficiary, Address]] = {}
    for person, row in reversed(ordered):
        found.setdefault(person.id, (person, row))
    return tuple(found.values())


def address_values(
    *,
    beneficiary_id: int,
    channel: str,
    address: str,
    language: str,
    now: datetime,
    slot: int = 0,
    last_inbound_at: datetime | None = None,
) -> dict[str, object]:
    """The one shape of a new address row (bulk inserts use it as it is)."""
    return {
        "beneficiary_id": beneficiary_id,
        "channel": channel,
        "address": address,
        "slot": slot,
        "language": language,
        "created_at": now,
        "last_inbound_at": last_inbound_at,
    }


async def add_address(
    session: AsyncSession,
    person: Beneficiary,
    *,
    now: datetime,
    channel: str | None = None,
    address: str | None = None,
    language: str | None = None,
    last_inbound_at: datetime | None = None,
) -> Address:
    """An address row for ``person``: by default the one their replies go to (a person made
    outside a conversation: an import, a test), else another one of theirs."""
    await session.flush()
    row = Address(
        **address_values(
            beneficiary_id=person.id,
            channel=channel or person.channel,
            address=address or person.address,
            language=language or person.language,
            now=now,
            last_inbound_at=last_inbound_at or (None if channel else person.last_inbound_at),
        )
    )
    session.add(row)
    await session.flush()
    return row


async def addresses_on(
    session: AsyncSession, person_ids: Iterable[int], channel: str
) -> dict[int, Address]:
    """Each person's address on ``channel``, the one they last wrote from when several."""
    rows = await session.scalars(
        select(Address)
        .where(Address.beneficiary_id.in_(set(person_ids)), Address.channel == channel)
        .order_by(Address.last_inbound_at.desc().nulls_last(), Address.id.desc())
    )
    found: dict[int, Address] = {}
    for row in rows:
        found.setdefault(row.beneficiary_id, row)
    return found


def reply_through(person: Beneficiary, address: Address, *, now: datetime) -> None:
    """``address`` is where the person last wrote from: later replies, staff messages and
    reminders go there, in its language."""
    address.last_inbound_at = now
    if (person.channel, person.address) != (address.channel, address.address):
        person.channel = address.channel
        person.address = address.address
    person.language = address.language


async def record_consent(
    session: AsyncSession, *, person: Beneficiary, address: Address, version: str, at: datetime
) -> None:
    """Keep a consent with its version and the address it was given on.

    Nothing pending is flushed first (the person and the address are rows already): in an
    inbound batch that flush would write the earlier turns' changes in statements of their
    own, instead of with the batch's."""
    await session.execute(
        insert(Consent)
        .values(beneficiary_id=person.id, address_id=address.id, version=version, given_at=at)
        .execution_options(autoflush=False)
    )
