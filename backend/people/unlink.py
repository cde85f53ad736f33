"""An address leaves its person and becomes a person of its own again.

If the address came with a merge that is still in force, unlinking it undoes that merge: the
absorbed person comes back under their old id with everything the merge moved (and still with
the survivor), and the survivor gets back their own answers where the merge had replaced them.
What happened after the merge stays with the survivor: a row created since (a new application,
a message) was theirs when it was made, and an answer they changed since is their newer one.
Reminders stay stopped if either had stopped them (a reminder someone refused is worse than a
missing one). The merge record keeps only ids and field names afterwards.

An address that came with no merge starts a new person: its own language, the consents given
on it, no answers; what the person did through it stays with the person it leaves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.dialect import is_postgres
from backend.people.addresses import add_person
from backend.people.merge import (
    SURVIVOR_FIELDS,
    AddressNotFound,
    LastAddress,
    PersonNotFound,
    lock_people,
    reply_to_latest,
)
from backend.people.merge_rules import undo_dict, undo_state
from backend.people.models import Address, Beneficiary, Consent, PersonMerge
from backend.people.person_files import move_files_after_commit
from backend.people.person_rows import move_back, restore_dropped, table_named, typed_row


async def unlink_address(
    session: AsyncSession, *, address_id: int, now: datetime, staff_id: int | None
) -> Beneficiary:
    """Take the address away from its person; the person it belongs to afterwards.

    ``staff_id`` is who asked (``None``: the person themselves); the caller audits it.
    """
    del staff_id  # the audit row is the caller's, in the same transaction
    await session.flush()
    query = select(Address).where(Address.id == address_id)
    if is_postgres(session):
        query = query.with_for_update()
    address = await session.scalar(query.execution_options(populate_existing=True))
    if address is None:
        raise AddressNotFound(f"no address {address_id}")
    owner = (await lock_people(session, address.beneficiary_id))[address.beneficiary_id]
    merge = await merge_of(session, owner_id=owner.id, address_id=address.id)
    if merge is not None:
        return await undo_merge(session, merge=merge, owner=owner, now=now)
    if await _address_count(session, owner.id) <= 1:
        raise LastAddress("a person's last address cannot be unlinked")
    fresh = await add_person(
        session,
        channel=address.channel,
        address=address.address,
        language=address.language,
        now=now,
    )
    address.beneficiary_id = fresh.id
    fresh.channel_name = address.channel_name
    fresh.last_inbound_at = address.last_inbound_at
    await session.execute(
        update(Consent)
        .where(Consent.address_id == address.id, Consent.beneficiary_id == owner.id)
        .values(beneficiary_id=fresh.id)
    )
    latest = await session.scalar(
        select(Consent)
        .where(Consent.beneficiary_id == fresh.id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    )
    if latest is not None:
        fresh.consent_version, fresh.consent_at = latest.version, latest.given_at
    await session.flush()
    await reply_to_latest(session, fresh, now=now)
    await reply_to_latest(session, owner, now=now)
    await session.flush()
    return fresh


async def merge_of(session: AsyncSession, *, owner_id: int, address_id: int) -> PersonMerge | None:
    """The latest merge in force that brought ``address_id`` to ``owner_id``."""
    merges = await session.scalars(
        select(PersonMerge)
        .where(PersonMerge.beneficiary_id == owner_id, PersonMerge.undone_at.is_(None))
        .order_by(PersonMerge.id.desc())
    )
    for merge in merges:
        if address_id in (merge.moved or {}).get("addresses", []):
            return merge
    return None


async def undo_merge(
    session: AsyncSession, *, merge: PersonMerge, owner: Beneficiary, now: datetime
) -> Beneficiary:
    """Bring the absorbed person of ``merge`` back from ``owner``; the person restored."""
    moved: dict[str, list[int]] = dict(merge.moved or {})
    leaving = set(moved.get("addresses", []))
    staying = await session.scalar(
        select(func.count())
        .select_from(Address)
        .where(Address.beneficiary_id == owner.id, Address.id.not_in(leaving))
    )
    if not staying:
        raise LastAddress("undoing this merge would leave the person without an address")
    snapshot: dict[str, Any] = dict(merge.absorbed or {})
    if not snapshot:
        raise PersonNotFound("the merge keeps no copy of the person")
    dropped: dict[str, list[dict[str, Any]]] = snapshot.pop("_dropped", {}) or {}
    survivor: dict[str, Any] = snapshot.pop("_survivor", {}) or {}
    await session.execute(
        insert(table_named("beneficiaries")).values(
            typed_row(table_named("beneficiaries"), snapshot)
        )
    )
    absorbed_id = merge.absorbed_id
    restored = (await lock_people(session, absorbed_id))[absorbed_id]
    back = await move_back(session, ids=moved, from_id=owner.id, to_id=absorbed_id)
    for row in dropped.get("media_files", []):
        # Its file was deleted with the duplicate: the media worker fetches it again.
        row.update(status="pending", attempts=0, next_attempt_at=now.isoformat(), stored_at=None)
    await restore_dropped(session, dropped)
    _restore_survivor(owner, merge, survivor)
    await session.flush()
    await reply_to_latest(session, restored, now=now)
    reply = (survivor.get("before") or {}).get("reply") or [owner.channel, owner.address]
    await reply_to_latest(session, owner, now=now, prefer=(reply[0], reply[1]))
    await move_files_after_commit(
        session,
        moved=back.get("media_files", []),
        dropped=[],
        from_id=owner.id,
        to_id=absorbed_id,
    )
    merge.absorbed = {}
    merge.survivor_profile = {}
    merge.conflicts = [{"field": c["field"], "from": c["from"]} for c in merge.conflicts or []]
    merge.undone_at = now
    await session.flush()
    return restored


def _restore_survivor(owner: Beneficiary, merge: PersonMerge, survivor: dict[str, Any]) -> None:
    """The survivor's own answers and fields back, where the merge changed them and nothing
    changed them since."""
    before: dict[str, Any] = survivor.get("before") or {}
    after: dict[str, Any] = survivor.get("after") or {}
    owner.profile = undo_dict(
        owner.profile or {}, merge.survivor_profile or {}, after.get("profile") or {}
    )
    owner.state = undo_state(
        owner.state or {}, before.get("state") or {}, after.get("state") or {}
    )
    people_table = table_named("beneficiaries")
    was = typed_row(people_table, {k: before.get(k) for k in SURVIVOR_FIELDS if k != "state"})
    became = typed_row(people_table, {k: after.get(k) for k in SURVIVOR_FIELDS if k != "state"})
    for name in became:
        if getattr(owner, name) == _value(became[name]) != _value(was[name]):
            setattr(owner, name, _value(was[name]))


def _value(value: Any) -> Any:
    """A typed row's value, with SQL NULL as ``None``."""
    return None if getattr(value, "__visit_name__", None) == "null" else value


async def _address_count(session: AsyncSession, person_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Address).where(Address.beneficiary_id == person_id)
    )
    return int(found or 0)
