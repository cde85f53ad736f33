"""Merging and unlinking as staff do it, for the API and the console alike: both people must
be in one's programs (else it is as if they did not exist), and every merge and unlink is
audited with ids only, in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people import queries as views
from backend.people.merge import AddressNotFound, PersonNotFound, merge_people
from backend.people.merge_rules import Side, merge_profiles
from backend.people.models import Address, Beneficiary, PersonMerge
from backend.people.unlink import unlink_address
from backend.staff.audit import record
from backend.staff.service import Principal


@dataclass(frozen=True)
class Answer:
    """One profile field as both people answered it, for the preview."""

    field: str
    survivor: Any
    absorbed: Any
    conflict: bool
    default: Side


@dataclass(frozen=True)
class Preview:
    """What merging ``absorbed`` into ``survivor`` would keep, before staff confirm."""

    survivor: Beneficiary
    absorbed: Beneficiary
    answers: list[Answer]
    newer: Side


async def visible_person(
    session: AsyncSession, principal: Principal, person_id: int
) -> Beneficiary:
    """The person, or :class:`PersonNotFound` when unknown or outside one's programs."""
    person = await session.get(Beneficiary, person_id)
    if person is None or not await views.sees_person(
        session, principal=principal, beneficiary_id=person_id
    ):
        raise PersonNotFound(f"no person {person_id}")
    return person


async def preview(
    session: AsyncSession, *, principal: Principal, survivor_id: int, absorbed_id: int
) -> Preview:
    """Both people's answers side by side; a conflict defaults to the newer answer."""
    survivor = await visible_person(session, principal, survivor_id)
    absorbed = await visible_person(session, principal, absorbed_id)
    seen = [p.last_inbound_at or p.created_at for p in (survivor, absorbed)]
    newer: Side = "absorbed" if seen[1] > seen[0] else "survivor"
    mine, theirs = survivor.profile or {}, absorbed.profile or {}
    _, conflicts = merge_profiles(mine, theirs, newer=newer)
    clashing = {c["field"] for c in conflicts}
    answers = [
        Answer(name, mine.get(name), theirs.get(name), name in clashing, newer)
        for name in sorted({*mine, *theirs})
    ]
    return Preview(survivor, absorbed, answers, newer)


async def merge_as_staff(
    session: AsyncSession,
    *,
    principal: Principal,
    survivor_id: int,
    absorbed_id: int,
    keep: Mapping[str, Literal["survivor", "absorbed"]] | None,
    now: datetime,
) -> PersonMerge:
    """Merge two people one may both see, and audit it under both ids."""
    await visible_person(session, principal, survivor_id)
    await visible_person(session, principal, absorbed_id)
    merge = await merge_people(
        session,
        survivor_id=survivor_id,
        absorbed_id=absorbed_id,
        merged_by="staff",
        now=now,
        staff_id=principal.id,
        keep=keep,
    )
    for person_id in (survivor_id, absorbed_id):
        await _audit(session, principal, "merge", "beneficiary", person_id, now)
    await _audit(session, principal, "merge", "person_merge", merge.id, now)
    return merge


async def unlink_as_staff(
    session: AsyncSession, *, principal: Principal, person_id: int, address_id: int, now: datetime
) -> Beneficiary:
    """Unlink one of a visible person's addresses; the person it belongs to afterwards."""
    await visible_person(session, principal, person_id)
    owner = await session.scalar(select(Address.beneficiary_id).where(Address.id == address_id))
    if owner != person_id:
        raise AddressNotFound(f"no address {address_id} on person {person_id}")
    person = await unlink_address(session, address_id=address_id, now=now, staff_id=principal.id)
    await _audit(session, principal, "unlink", "address", address_id, now)
    await _audit(session, principal, "unlink", "beneficiary", person_id, now)
    return person


async def undo_as_staff(
    session: AsyncSession, *, principal: Principal, person_id: int, merge_id: int, now: datetime
) -> Beneficiary:
    """Undo one of a visible person's merges, by unlinking an address it brought."""
    merge = await session.get(PersonMerge, merge_id)
    if merge is None or merge.beneficiary_id != person_id or merge.undone_at is not None:
        raise PersonNotFound(f"no merge {merge_id} in force on person {person_id}")
    brought = await session.scalar(
        select(Address.id)
        .where(
            Address.beneficiary_id == person_id,
            Address.id.in_((merge.moved or {}).get("addresses", [])),
        )
        .order_by(Address.id)
        .limit(1)
    )
    if brought is None:
        raise AddressNotFound(f"merge {merge_id} brought no address {person_id} still has")
    return await unlink_as_staff(
        session, principal=principal, person_id=person_id, address_id=brought, now=now
    )


async def merges_of(session: AsyncSession, *, person_id: int) -> list[PersonMerge]:
    """The merges a person took part in, as survivor or as the one absorbed, newest first."""
    rows = await session.scalars(
        select(PersonMerge)
        .where(or_(PersonMerge.beneficiary_id == person_id, PersonMerge.absorbed_id == person_id))
        .order_by(PersonMerge.created_at.desc(), PersonMerge.id.desc())
    )
    return list(rows)


async def _audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: int,
    now: datetime,
) -> None:
    await record(
        session,
        staff_id=principal.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        at=now,
    )
