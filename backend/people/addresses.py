"""Who is writing from a channel address, and where a person's other messages go.

A message arrives on (channel, address). Its address rows say which people write from there:
none (a first contact: a new person with one address), one (the usual case), or several (a
number a family shares). The person's ``channel``/``address``/``language`` follow the address
they last wrote from; :func:`reply_through` is the one place that sets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.dialect import insert_for, is_postgres
from backend.people.models import Address, Beneficiary, Consent


@dataclass(frozen=True)
class Writers:
    """The people who write from one channel address, the most recently chosen first."""

    rows: tuple[tuple[Beneficiary, Address], ...]

    @property
    def shared(self) -> bool:
        """Whether more than one person writes from this address."""
        return len(self.rows) > 1


async def writers_at(
    session: AsyncSession, *, channel: str, address: str, default_language: str, now: datetime
) -> Writers:
    """Everyone who writes from ``address``, locked for this transaction; a first contact
    becomes a new person with this one address.

    One statement in the usual case (the address and its person, joined). Creating is
    guarded by the unique (channel, address, slot): a second process creating the same first
    contact at the same moment finds the other's row instead of making a twin.
    """
    found = await _load(session, channel, address)
    if found:
        return Writers(found)
    async with session.begin_nested():
        person = await add_person(
            session, channel=channel, address=address, language=default_language, now=now
        )
        created = await _insert_address(session, person, slot=0, now=now)
        if created is None:
            await session.delete(person)
    return Writers(await _load(session, channel, address))


async def add_person(
    session: AsyncSession, *, channel: str, address: str, language: str, now: datetime
) -> Beneficiary:
    """A new person whose replies go to ``address`` (their address row is the caller's)."""
    person = Beneficiary(
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
    session.add(person)
    await session.flush()
    return person


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


async def _load(
    session: AsyncSession, channel: str, address: str
) -> tuple[tuple[Beneficiary, Address], ...]:
    query = (
        select(Beneficiary, Address)
        .join(Address, Address.beneficiary_id == Beneficiary.id)
        .where(Address.channel == channel, Address.address == address)
        .order_by(Address.chosen_at.desc().nulls_last(), Address.slot)
        .execution_options(populate_existing=True)
    )
    if is_postgres(session):
        query = query.with_for_update()
    rows = await session.execute(query)
    return tuple((person, row) for person, row in rows.tuples())


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
    """Keep a consent with its version and the address it was given on."""
    await session.execute(
        insert(Consent).values(
            beneficiary_id=person.id, address_id=address.id, version=version, given_at=at
        )
    )
