"""After erasure (the chat word, the API) no byte of the person remains: not in any table, not
in SQLite's free pages or WAL, not in the files they sent."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from backend.media.files import person_dir as media_folder
from backend.people.wipe import forget_freed_bytes
from backend.runtime import Runtime
from tests.api.conftest import make_staff
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
