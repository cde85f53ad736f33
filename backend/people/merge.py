"""Two people made one: by a linking code the person typed, or by staff.

The survivor keeps their id, their place in the conversation and, where both answered a
question differently, the newer answer (the person who wrote last) unless staff chose. Every
row of the absorbed person moves to the survivor (:mod:`backend.people.person_rows`), then the
absorbed person's row is deleted. The :class:`PersonMerge` keeps what is needed to undo it:

- ``absorbed``: the absorbed person's row (column -> value), plus ``_dropped`` (duplicate rows
  the merge deleted, see ``person_rows``) and ``_survivor`` (the survivor's fields before and
  after, so an undo puts back only what the merge changed);
- ``survivor_profile``: the survivor's profile before; ``moved``: table -> ids that moved;
- ``conflicts``: ``{"field", "kept", "dropped", "from"}``, ``from`` being whose answer was kept.

Undoing is :func:`backend.people.unlink.unlink_address` on an address that came with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import and_, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.dialect import is_postgres
from backend.people.addresses import reply_through
from backend.people.merge_rules import Side, merge_profiles, merge_states
from backend.people.models import Address, Beneficiary, PersonMerge
from backend.people.person_files import move_files_after_commit
from backend.people.person_rows import move_all, plain_row, table_named

#: The survivor's fields a merge may change and an undo may put back.
SURVIVOR_FIELDS = (
    "state",
    "consent_version",
    "consent_at",
    "last_inbound_at",
    "channel_name",
    "unreachable",
)


class MergeError(ValueError):
    """A merge or an unlink that cannot be done, with the reason in ``code``."""

    code = "invalid"


class PersonNotFound(MergeError):
    """No such person."""

    code = "not_found"


class AddressNotFound(MergeError):
    """No such address."""

    code = "address_not_found"


class SamePerson(MergeError):
    """A person cannot be merged with themselves."""

    code = "same_person"


class LastAddress(MergeError):
    """Unlinking would leave a person without any address to reach them."""

    code = "last_address"


async def merge_people(
    session: AsyncSession,
    *,
    survivor_id: int,
    absorbed_id: int,
    merged_by: Literal["person", "staff"],
    now: datetime,
    staff_id: int | None = None,
    keep: Mapping[str, Literal["survivor", "absorbed"]] | None = None,
) -> PersonMerge:
    """Make ``absorbed_id`` part of ``survivor_id``, in the caller's transaction.

    ``keep`` chooses, per profile field the two answered differently, whose answer stays;
    a field it does not name keeps the newer answer.
    """
    if survivor_id == absorbed_id:
        raise SamePerson("a person cannot be merged with themselves")
    await session.flush()
    people = await lock_people(session, survivor_id, absorbed_id)
    for wanted in (survivor_id, absorbed_id):
        if wanted not in people:
            raise PersonNotFound(f"no person {wanted}")
    survivor, absorbed = people[survivor_id], people[absorbed_id]
    newer: Side = "absorbed" if _seen(absorbed) > _seen(survivor) else "survivor"
    people_table = table_named("beneficiaries")
    snapshot = plain_row(
        people_table, {c.name: getattr(absorbed, c.key) for c in people_table.columns}
    )
    before = _fields(survivor)
    survivor_profile = dict(survivor.profile or {})
    profile, conflicts = merge_profiles(
        survivor_profile, absorbed.profile or {}, newer=newer, keep=keep
    )
    moved = await move_all(session, from_id=absorbed_id, to_id=survivor_id)
    _combine(survivor, absorbed, profile)
    await session.delete(absorbed)
    await session.flush()
    latest = await reply_to_latest(session, survivor, now=now)
    if latest is not None and latest.id in moved.ids.get("addresses", []):
        survivor.unreachable = bool(snapshot.get("unreachable"))
    await move_files_after_commit(
        session,
        moved=moved.ids.get("media_files", []),
        dropped=moved.dropped.get("media_files", []),
        from_id=absorbed_id,
        to_id=survivor_id,
    )
    merge = PersonMerge(
        beneficiary_id=survivor_id,
        absorbed_id=absorbed_id,
        merged_by=merged_by,
        staff_id=staff_id,
        absorbed={
            **snapshot,
            "_dropped": moved.dropped,
            "_survivor": {"before": before, "after": {**_fields(survivor), "profile": profile}},
        },
        survivor_profile=survivor_profile,
        moved=moved.ids,
        conflicts=conflicts,
        created_at=now,
    )
    session.add(merge)
    await session.flush()
    return merge


async def lock_people(session: AsyncSession, *ids: int) -> dict[int, Beneficiary]:
    """The people with these ids, locked for the transaction (in id order, so two merges
    of the same pair cannot deadlock), read afresh."""
    query = (
        select(Beneficiary)
        .where(Beneficiary.id.in_(ids))
        .order_by(Beneficiary.id)
        .execution_options(populate_existing=True)
    )
    if is_postgres(session):
        query = query.with_for_update()
    return {person.id: person for person in await session.scalars(query)}


async def reply_to_latest(
    session: AsyncSession,
    person: Beneficiary,
    *,
    now: datetime,
    prefer: tuple[str, str] | None = None,
) -> Address | None:
    """Replies go to the address the person used most recently, of those they still have
    (on a tie, ``prefer``, else where they went already)."""
    channel, where = prefer or (person.channel, person.address)
    current = case((and_(Address.channel == channel, Address.address == where), 0), else_=1)
    address = await session.scalar(
        select(Address)
        .where(Address.beneficiary_id == person.id)
        .order_by(Address.last_inbound_at.desc().nulls_last(), current, Address.id.desc())
        .limit(1)
    )
    if address is None:
        return None
    seen = address.last_inbound_at
    reply_through(person, address, now=seen or now)
    address.last_inbound_at = seen  # choosing where replies go is not a message from there
    return address


def _seen(person: Beneficiary) -> datetime:
    """When the person last wrote (or appeared): whose answers are the newer."""
    return person.last_inbound_at or person.created_at


def _combine(survivor: Beneficiary, absorbed: Beneficiary, profile: dict[str, Any]) -> None:
    survivor.profile = profile
    survivor.state = merge_states(survivor.state or {}, absorbed.state or {})
    if absorbed.consent_version is not None and (
        survivor.consent_version is None
        or (absorbed.consent_at or absorbed.created_at)
        > (survivor.consent_at or survivor.created_at)
    ):
        survivor.consent_version = absorbed.consent_version
        survivor.consent_at = absorbed.consent_at
    # Reminders someone stopped never start again because of a merge.
    survivor.reminders_opt_out = bool(survivor.reminders_opt_out or absorbed.reminders_opt_out)
    if absorbed.last_inbound_at and (
        survivor.last_inbound_at is None or absorbed.last_inbound_at > survivor.last_inbound_at
    ):
        survivor.last_inbound_at = absorbed.last_inbound_at
    survivor.channel_name = survivor.channel_name or absorbed.channel_name
    # A wrong-code block on either account stays: merging is no way around it.
    survivor.link_failures = max(survivor.link_failures or 0, absorbed.link_failures or 0)
    blocks = [b for b in (survivor.link_blocked_until, absorbed.link_blocked_until) if b]
    survivor.link_blocked_until = max(blocks) if blocks else None


def _fields(person: Beneficiary) -> dict[str, Any]:
    fields = {name: _json(getattr(person, name)) for name in SURVIVOR_FIELDS}
    return {**fields, "reply": [person.channel, person.address]}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
