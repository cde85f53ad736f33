"""After erasure (the chat word, the API) no byte of the person remains: not in any table, not
in SQLite's free pages or WAL, not in the files they sent."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select, text

from backend.conversations.models import OutboxMessage
from backend.media.files import person_dir as media_folder
from backend.people.addresses import add_address, record_consent
from backend.people.models import Address, Beneficiary, Consent, LinkCode, PersonMerge
from backend.people.wipe import forget_freed_bytes
from backend.runtime import Runtime
from bot.base import InboundEnvelope
from conversations.messages import Incoming
from tests.api.conftest import make_staff
from tests.backend.fakes import RecordingAdapter
from tests.backend.webchat_driver import WebChatUser
from tests.people.conftest import raw_hits
from tests.support import PERSONAL_NAME, TYPED_ANSWERS, find_values

IDEA = TYPED_ANSWERS["text"]["default"]


def _needles(user: WebChatUser) -> list[str]:
    return [PERSONAL_NAME, "98 123 456", "+21698123456", IDEA, user.session]


async def _person_with_files(
    client: httpx.AsyncClient, runtime: Runtime
) -> tuple[WebChatUser, int]:
    user = WebChatUser(client, runtime, "fr")
    await user.say(None)
    await user.apply("iess")
    await user.say("agent")
    person = await user.beneficiary()
    assert person is not None
    folder = media_folder(runtime.settings.data_dir, person.id)
    folder.mkdir(parents=True)
    (folder / "carte.jpg").write_bytes(PERSONAL_NAME.encode())
    return user, person.id


async def test_the_delete_word_leaves_no_byte_in_the_database_files_or_the_media(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, person_id = await _person_with_files(client, runtime)
    if runtime.db.dialect.name == "sqlite":
        assert raw_hits(runtime.settings.database_url, _needles(user)), "found while kept"
    await user.say("supprimer")
    await user.press("confirm")
    await runtime.dispatcher.run_once()
    assert await find_values(runtime.db, _needles(user)) == []
    assert not media_folder(runtime.settings.data_dir, person_id).exists()
    if runtime.db.dialect.name == "sqlite":
        assert raw_hits(runtime.settings.database_url, _needles(user)) == []
        async with runtime.db.connect() as connection:
            assert await connection.scalar(text("PRAGMA secure_delete")) == 1


async def test_the_api_erasure_leaves_no_byte_either(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, person_id = await _person_with_files(client, runtime)
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    response = await supervisor.delete(f"/beneficiaries/{person_id}")
    assert response.status_code == 204
    assert await find_values(runtime.db, _needles(user)) == []
    assert not media_folder(runtime.settings.data_dir, person_id).exists()
    if runtime.db.dialect.name == "sqlite":
        assert raw_hits(runtime.settings.database_url, _needles(user)) == []


async def test_the_clean_up_runs_on_this_database_without_error(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The checkpoint (SQLite) or the VACUUM outside a transaction (PostgreSQL) really runs."""
    user, _ = await _person_with_files(client, runtime)
    await user.say("supprimer")
    await user.press("confirm")
    await forget_freed_bytes(runtime.db)
    if runtime.db.dialect.name == "postgresql":
        async with runtime.db.connect() as connection:
            vacuumed = await connection.scalar(
                text("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'beneficiaries'")
            )
        assert vacuumed is not None


SNAPSHOT_NAME = "Khadija Snapshotmerged"
NUMBER = "21655333444"


async def _linked_everywhere(
    client: httpx.AsyncClient, runtime: Runtime
) -> tuple[WebChatUser, int]:
    """A person with files, a second address (WhatsApp), a consent on each, a linking code and
    a merge record holding the absorbed person's snapshot."""
    user, person_id = await _person_with_files(client, runtime)
    now = runtime.clock()
    async with runtime.sessions() as session, session.begin():
        person = await session.get(Beneficiary, person_id)
        assert person is not None
        number = await add_address(
            session, person, now=now, channel="whatsapp", address=NUMBER, language="ar"
        )
        await record_consent(session, person=person, address=number, version="2026-11", at=now)
        session.add(
            LinkCode(beneficiary_id=person_id, digest="d" * 64, expires_at=now, created_at=now)
        )
        session.add(
            PersonMerge(
                beneficiary_id=person_id,
                absorbed_id=person_id + 1000,
                merged_by="person",
                absorbed={"channel": "whatsapp", "address": NUMBER, "name": SNAPSHOT_NAME},
                survivor_profile={"full_name": PERSONAL_NAME},
                moved={},
                conflicts=[{"field": "name", "kept": PERSONAL_NAME, "dropped": SNAPSHOT_NAME}],
                created_at=now,
            )
        )
    return user, person_id


async def test_erasing_a_linked_person_from_their_other_address_leaves_nothing_anywhere(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, person_id = await _linked_everywhere(client, runtime)
    needles = [*_needles(user), NUMBER, SNAPSHOT_NAME]
    for typed in ("supprimer", None):
        incoming = Incoming(text=typed) if typed else Incoming(choice_id=await _confirm(runtime))
        await runtime.inbound.receive(
            InboundEnvelope("whatsapp", NUMBER, uuid.uuid4().hex, incoming)
        )
    runtime.dispatcher.add_adapter(RecordingAdapter(name="whatsapp"))
    await runtime.dispatcher.run_once()  # the confirmation goes, then loses its address
    async with runtime.sessions() as session:
        for table in (Beneficiary, Address, Consent, LinkCode, PersonMerge):
            assert list(await session.scalars(select(table))) == [], table.__tablename__
    assert await find_values(runtime.db, needles) == []
    if runtime.db.dialect.name == "sqlite":
        assert raw_hits(runtime.settings.database_url, needles) == []
    assert not media_folder(runtime.settings.data_dir, person_id).exists()


async def _confirm(runtime: Runtime) -> str:
    async with runtime.sessions() as session:
        payload = await session.scalar(
            select(OutboxMessage.payload)
            .where(OutboxMessage.address == NUMBER)
            .order_by(OutboxMessage.id.desc())
        )
    assert payload is not None
    return next(c["id"] for c in payload["choices"] if c["id"].endswith(".confirm"))


async def test_the_staff_erasure_of_a_linked_person_leaves_nothing_on_any_address(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, person_id = await _linked_everywhere(client, runtime)
    supervisor = await make_staff(runtime, client, role="supervisor", programs=("iess",))
    response = await supervisor.delete(f"/beneficiaries/{person_id}")
    assert response.status_code == 204
    assert await find_values(runtime.db, [*_needles(user), NUMBER, SNAPSHOT_NAME]) == []
    if runtime.db.dialect.name == "sqlite":
        hits = raw_hits(runtime.settings.database_url, [*_needles(user), NUMBER, SNAPSHOT_NAME])
        assert hits == []
