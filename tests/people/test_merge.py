"""Merging two people and unlinking an address, on the service: what moves, which answer
stays, and that unlinking gives the absorbed person back exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.applications.models import Application
from backend.media.files import stored_path
from backend.people.addresses import add_writer, writers_at
from backend.people.merge import (
    AddressNotFound,
    LastAddress,
    PersonNotFound,
    SamePerson,
    merge_people,
)
from backend.people.models import Address, Beneficiary, Consent, PersonMerge
from backend.people.person_rows import POLICIES, unhandled
from backend.people.unlink import unlink_address
from backend.reminders.models import Reminder
from backend.runtime import Runtime
from backend.stats.models import FunnelStep
from backend.trainings.models import Enrollment
from tests.people.merging import (
    MAKERS,
    T0,
    add_row,
    addresses_of,
    owners,
    person,
    referencing_tables,
    training,
)

LATER = T0 + timedelta(days=3)


def test_every_table_that_points_at_a_person_is_handled_by_the_merge() -> None:
    """A new foreign key to ``beneficiaries`` fails here until the merge has a policy for it
    (and a unique key with the person in it must deduplicate) and this suite can make a row."""
    assert unhandled() == []
    assert set(POLICIES) == referencing_tables()
    assert set(MAKERS) == referencing_tables()


async def test_every_row_of_the_absorbed_person_moves_to_the_survivor(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor = await person(session)
        absorbed = await person(session, addresses=2)
        mine = {t: await add_row(session, t, survivor.id) for t in sorted(MAKERS)}
        theirs = {t: await add_row(session, t, absorbed.id) for t in sorted(MAKERS)}
        survivor_id, absorbed_id = survivor.id, absorbed.id
        merge = await merge_people(
            session, survivor_id=survivor_id, absorbed_id=absorbed_id, merged_by="staff", now=LATER
        )
        merge_id = merge.id
    async with runtime.sessions() as session:
        found = await owners(session)
        assert await session.get(Beneficiary, absorbed_id) is None
        record = await session.get(PersonMerge, merge_id)
        assert record is not None
    for table in MAKERS:
        assert found[(table, mine[table])] == survivor_id, table
        assert found[(table, theirs[table])] == survivor_id, table
        assert theirs[table] in record.moved[table], table
    assert set(found.values()) == {survivor_id}
    assert record.absorbed["id"] == absorbed_id
    assert len(record.moved["addresses"]) == 3  # two addresses and the web chat one


async def test_the_newer_answer_wins_and_each_conflict_is_listed(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        old = await person(session, profile={"city": "Tunis", "gender": "f"}, seen=T0)
        new = await person(
            session, profile={"city": "Sfax", "age": 31}, seen=T0 + timedelta(hours=1)
        )
        merge = await merge_people(
            session, survivor_id=old.id, absorbed_id=new.id, merged_by="person", now=LATER
        )
        assert old.profile == {"city": "Sfax", "gender": "f", "age": 31}
        assert merge.conflicts == [
            {"field": "city", "kept": "Sfax", "dropped": "Tunis", "from": "absorbed"}
        ]
        assert merge.survivor_profile == {"city": "Tunis", "gender": "f"}


async def test_staff_choose_which_answer_stays(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        old = await person(session, profile={"city": "Tunis", "age": 30}, seen=T0)
        new = await person(
            session, profile={"city": "Sfax", "age": 31}, seen=T0 + timedelta(hours=1)
        )
        merge = await merge_people(
            session,
            survivor_id=old.id,
            absorbed_id=new.id,
            merged_by="staff",
            now=LATER,
            keep={"city": "survivor"},
        )
        assert old.profile == {"city": "Tunis", "age": 31}
        assert {c["field"]: c["from"] for c in merge.conflicts} == {
            "city": "survivor",
            "age": "absorbed",
        }


async def test_the_conversation_keeps_the_survivors_place_and_the_others_drafts(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor = await person(session, seen=T0)
        absorbed = await person(session, seen=T0 + timedelta(hours=1))
        survivor.state = {"node": "apply.iess.q2", "drafts": {"iess": {"q1": "a"}}}
        absorbed.state = {
            "node": "menu",
            "drafts": {"iess": {"q1": "b"}, "essor-biosp": {"q1": "c"}},
            "files": {"essor-biosp": [{"id": 1}]},
        }
        survivor.consent_version, survivor.consent_at = "v1", T0
        absorbed.consent_version, absorbed.consent_at = "v2", T0 + timedelta(hours=1)
        absorbed.reminders_opt_out = True
        await merge_people(
            session,
            survivor_id=survivor.id,
            absorbed_id=absorbed.id,
            merged_by="person",
            now=LATER,
        )
        assert survivor.state["node"] == "apply.iess.q2"
        assert survivor.state["drafts"] == {"iess": {"q1": "a"}, "essor-biosp": {"q1": "c"}}
        assert survivor.state["files"] == {"essor-biosp": [{"id": 1}]}
        assert (survivor.consent_version, survivor.consent_at) == ("v2", absorbed.consent_at)
        assert survivor.reminders_opt_out is True
        # Replies now go to the address written from last: the absorbed person's.
        assert (survivor.channel, survivor.address) == (absorbed.channel, absorbed.address)


async def test_a_person_cannot_be_merged_with_themselves_or_with_nobody(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        someone = await person(session)
        with pytest.raises(SamePerson):
            await merge_people(
                session, survivor_id=someone.id, absorbed_id=someone.id, merged_by="staff", now=T0
            )
        with pytest.raises(PersonNotFound):
            await merge_people(
                session, survivor_id=someone.id, absorbed_id=10**9, merged_by="staff", now=T0
            )
        with pytest.raises(AddressNotFound):
            await unlink_address(session, address_id=10**9, now=T0, staff_id=None)


async def test_unlinking_gives_the_absorbed_person_back_with_their_id_and_rows(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor = await person(session, profile={"city": "Tunis", "gender": "f"}, seen=T0)
        absorbed = await person(
            session, addresses=2, profile={"city": "Sfax", "age": 31}, seen=T0 + timedelta(1)
        )
        survivor_id, absorbed_id = survivor.id, absorbed.id
        theirs = {t: await add_row(session, t, absorbed_id) for t in sorted(MAKERS)}
        before = await owners(session)
        their_addresses = (await addresses_of(session))[absorbed_id]
        await merge_people(
            session, survivor_id=survivor_id, absorbed_id=absorbed_id, merged_by="staff", now=LATER
        )
        since = await add_row(session, "applications", survivor_id)
    async with runtime.sessions() as session, session.begin():
        restored = await unlink_address(
            session, address_id=min(their_addresses), now=LATER, staff_id=None
        )
        assert restored.id == absorbed_id
        assert restored.profile == {"city": "Sfax", "age": 31}
    async with runtime.sessions() as session:
        assert (await session.get(Beneficiary, survivor_id)).profile == {  # type: ignore[union-attr]
            "city": "Tunis",
            "gender": "f",
        }
        after = await owners(session)
        assert (await addresses_of(session))[absorbed_id] == their_addresses
        merge = await session.scalar(
            select(PersonMerge).where(PersonMerge.absorbed_id == absorbed_id)
        )
        assert merge is not None and merge.undone_at == LATER
        assert merge.absorbed == {} and merge.survivor_profile == {}
        assert merge.conflicts == [{"field": "city", "from": "absorbed"}]
    assert {k: v for k, v in after.items() if k in before} == before
    assert after[("applications", since)] == survivor_id  # made after the merge: stays
    assert set(theirs) == set(MAKERS)


async def test_a_duplicate_enrollment_waits_in_the_merge_and_comes_back_on_undo(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor, absorbed = await person(session), await person(session)
        session_ = await training(session)
        for who in (survivor, absorbed):
            enrollment = Enrollment(training_id=session_.id, beneficiary_id=who.id)
            session.add(enrollment)
            await session.flush()
            session.add(
                Reminder(
                    kind="training",
                    program="iess",
                    beneficiary_id=who.id,
                    enrollment_id=enrollment.id,
                    scheduled_at=T0,
                    due_at=T0,
                )
            )
            session.add(FunnelStep(beneficiary_id=who.id, program="iess", stage="applied"))
        await session.flush()
        before = await owners(session)
        address = min((await addresses_of(session))[absorbed.id])
        await merge_people(
            session, survivor_id=survivor.id, absorbed_id=absorbed.id, merged_by="staff", now=LATER
        )
        # Counted once: one enrollment, one reminder, one funnel step for the one person.
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 1
        assert await session.scalar(select(func.count()).select_from(Reminder)) == 1
        assert await session.scalar(select(func.count()).select_from(FunnelStep)) == 1
        await unlink_address(session, address_id=address, now=LATER, staff_id=None)
        after = await owners(session)
        assert {k: v for k, v in after.items() if k[0] != "person_merges"} == before


async def test_an_address_that_never_came_by_merge_becomes_a_new_person(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session, session.begin():
        someone = await person(session, addresses=2, profile={"city": "Tunis"})
        second = max((await addresses_of(session))[someone.id])
        row = await session.get(Address, second)
        assert row is not None
        row.language = "ar"
        session.add(
            Consent(beneficiary_id=someone.id, address_id=second, version="v2", given_at=T0)
        )
        application = await add_row(session, "applications", someone.id)
        fresh = await unlink_address(session, address_id=second, now=LATER, staff_id=None)
        assert fresh.id != someone.id
        assert (fresh.channel, fresh.address, fresh.language) == (row.channel, row.address, "ar")
        assert fresh.profile == {} and fresh.consent_version == "v2"
        assert (await addresses_of(session))[fresh.id] == {second}
        assert (await session.get(Application, application)).beneficiary_id == someone.id  # type: ignore[union-attr]
        assert someone.channel == "telegram"  # replies go to an address they still have
        with pytest.raises(LastAddress):
            await unlink_address(session, address_id=second, now=LATER, staff_id=None)


async def test_undoing_a_merge_that_would_leave_the_survivor_without_an_address_is_refused(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor, absorbed = await person(session), await person(session)
        own = min((await addresses_of(session))[survivor.id])
        brought = min((await addresses_of(session))[absorbed.id])
        await merge_people(
            session, survivor_id=survivor.id, absorbed_id=absorbed.id, merged_by="staff", now=LATER
        )
        await unlink_address(session, address_id=own, now=LATER, staff_id=None)
        with pytest.raises(LastAddress):
            await unlink_address(session, address_id=brought, now=LATER, staff_id=None)


async def test_an_answer_changed_after_the_merge_survives_the_undo(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor = await person(session, profile={"city": "Tunis"}, seen=T0)
        absorbed = await person(session, profile={"city": "Sfax", "age": 31}, seen=LATER)
        brought = min((await addresses_of(session))[absorbed.id])
        await merge_people(
            session, survivor_id=survivor.id, absorbed_id=absorbed.id, merged_by="staff", now=LATER
        )
        survivor.profile = {**survivor.profile, "city": "Gabès"}
        await unlink_address(session, address_id=brought, now=LATER, staff_id=None)
        assert survivor.profile == {"city": "Gabès"}


async def test_the_absorbed_id_is_never_given_to_a_newcomer(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        survivor, absorbed = await person(session), await person(session)
        absorbed_id = absorbed.id
        brought = min((await addresses_of(session))[absorbed_id])
        await merge_people(
            session, survivor_id=survivor.id, absorbed_id=absorbed_id, merged_by="staff", now=LATER
        )
    async with runtime.sessions() as session, session.begin():
        newcomer = await person(session)
        assert newcomer.id > absorbed_id
        restored = await unlink_address(session, address_id=brought, now=LATER, staff_id=None)
        assert restored.id == absorbed_id


async def test_the_files_a_person_sent_follow_them_once_committed(runtime: Runtime) -> None:
    data_dir = runtime.settings.data_dir
    async with runtime.sessions() as session, session.begin():
        survivor, absorbed = await person(session), await person(session)
        survivor_id, absorbed_id = survivor.id, absorbed.id
        brought = min((await addresses_of(session))[absorbed_id])
        media_id = await add_row(session, "media_files", absorbed_id)
        from backend.media.models import MediaFile

        media = await session.get(MediaFile, media_id)
        assert media is not None
        media.file_name, media.status = "carte.jpg", "stored"
        there = stored_path(data_dir, absorbed_id, media_id, "carte.jpg")
        there.parent.mkdir(parents=True)
        there.write_bytes(b"photo")
        await merge_people(
            session, survivor_id=survivor_id, absorbed_id=absorbed_id, merged_by="staff", now=LATER
        )
        assert there.exists()  # nothing moves before the commit
    moved = stored_path(data_dir, survivor_id, media_id, "carte.jpg")
    assert moved.read_bytes() == b"photo" and not there.parent.exists()
    async with runtime.sessions() as session, session.begin():
        await unlink_address(session, address_id=brought, now=LATER, staff_id=None)
    assert there.read_bytes() == b"photo" and not moved.exists()


async def test_a_merge_rolled_back_moves_no_file(runtime: Runtime) -> None:
    data_dir = runtime.settings.data_dir
    async with runtime.sessions() as session, session.begin():
        survivor, absorbed = await person(session), await person(session)
        ids = (survivor.id, absorbed.id)
        media_id = await add_row(session, "media_files", absorbed.id)
        from backend.media.models import MediaFile

        media = await session.get(MediaFile, media_id)
        assert media is not None
        media.file_name = "carte.jpg"
    there = stored_path(data_dir, ids[1], media_id, "carte.jpg")
    there.parent.mkdir(parents=True)
    there.write_bytes(b"photo")
    async with runtime.sessions() as session:
        await merge_people(
            session, survivor_id=ids[0], absorbed_id=ids[1], merged_by="staff", now=LATER
        )
        await session.rollback()
    async with runtime.sessions() as session, session.begin():
        await session.get(Beneficiary, ids[0])
    assert there.exists()


async def test_two_people_of_one_shared_number_merged_are_one_writer_there(
    runtime: Runtime,
) -> None:
    """Merged, the two rows on the number belong to one person: nobody is asked "who is
    writing?" between the same person twice."""
    async with runtime.sessions() as session, session.begin():
        first = await writers_at(
            session, channel="whatsapp", address="21650000077", default_language="ar", now=T0
        )
        second, _ = await add_writer(
            session, channel="whatsapp", address="21650000077", language="ar", now=T0
        )
        assert (
            await writers_at(
                session, channel="whatsapp", address="21650000077", default_language="ar", now=T0
            )
        ).shared
        await merge_people(
            session,
            survivor_id=first.rows[0][0].id,
            absorbed_id=second.id,
            merged_by="staff",
            now=LATER,
        )
        after = await writers_at(
            session, channel="whatsapp", address="21650000077", default_language="ar", now=LATER
        )
    assert not after.shared
    assert [p.id for p, _ in after.rows] == [first.rows[0][0].id]
