"""Retention: the scheduled job erases exactly the people silent for MASSAR_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import inspect, select

from backend.applications.models import Application
from backend.media.files import person_dir as media_folder
from backend.people.models import Beneficiary
from backend.runtime import Runtime
from backend.scheduler import retention_tick
from tests.backend.webchat_driver import WebChatUser
from tests.people.conftest import raw_hits
from tests.support import PERSONAL_NAME, FakeClock, find_values


async def _ids(runtime: Runtime) -> set[int]:
    async with runtime.sessions() as session:
        return set(await session.scalars(select(Beneficiary.id)))


async def test_the_job_erases_exactly_those_silent_longer_than_the_limit(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    assert runtime.settings.retention_days == 730
    old = WebChatUser(client, runtime, "fr")
    await old.say(None)
    await old.apply("iess")
    old_person = await old.beneficiary()
    assert old_person is not None
    media_folder(runtime.settings.data_dir, old_person.id).mkdir(parents=True)
    clock.advance(timedelta(days=400))
    recent = WebChatUser(client, runtime, "ar")
    await recent.say(None)
    recent_person = await recent.beneficiary()
    assert recent_person is not None

    clock.advance(timedelta(days=330))  # the first person: exactly 730 days of silence
    assert await retention_tick(runtime) == []
    assert await _ids(runtime) == {old_person.id, recent_person.id}

    clock.advance(timedelta(minutes=1))
    assert await retention_tick(runtime) == [old_person.id]
    assert await _ids(runtime) == {recent_person.id}
    assert not media_folder(runtime.settings.data_dir, old_person.id).exists()
    assert await find_values(runtime.db, [PERSONAL_NAME, old.session]) == []
    if runtime.db.dialect.name == "sqlite":
        assert raw_hits(runtime.settings.database_url, [PERSONAL_NAME, old.session]) == []
    async with runtime.sessions() as session:
        application = await session.scalar(select(Application))
    assert application is not None and application.erased_at is not None, "counts survive"

    clock.advance(timedelta(days=400))
    assert await retention_tick(runtime) == [recent_person.id]


async def test_writing_again_resets_the_clock(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    user = WebChatUser(client, runtime, "en")
    await user.say(None)
    clock.advance(timedelta(days=700))
    await user.say("menu")
    clock.advance(timedelta(days=100))
    assert await retention_tick(runtime) == []
    assert await user.beneficiary() is not None


async def test_last_inbound_at_is_indexed(runtime: Runtime) -> None:
    async with runtime.db.connect() as connection:
        indexes = await connection.run_sync(lambda c: inspect(c).get_indexes("beneficiaries"))
    assert any(i["column_names"] == ["last_inbound_at"] for i in indexes)
