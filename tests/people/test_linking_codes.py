"""Linking codes and their limits, on the database: ten minutes, once, three codes an hour,
three wrong codes and linking stops for an hour, never one's own code, and no live code in
a dump of the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.people.addresses import writers_at
from backend.people.linking import (
    BLOCK_FOR,
    CODE_LIFETIME,
    FAILURE_LIMIT,
    ISSUE_LIMIT,
    ISSUE_WINDOW,
    digest_of,
    issue_code,
    matches,
    redeem_code,
)
from backend.people.models import Beneficiary, LinkCode, PersonMerge
from backend.runtime import Runtime
from backend.settings import Settings
from tests.people.conftest import raw_hits
from tests.support import FakeClock


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    built = Runtime.build(settings, clock=clock, raise_errors=True)
    yield built
    await built.close()


async def person(session: AsyncSession, clock: FakeClock, channel: str, address: str) -> int:
    writers = await writers_at(
        session, channel=channel, address=address, default_language="fr", now=clock()
    )
    return writers.rows[0][0].id


class People:
    """Two people (Telegram 42 and WhatsApp 216...) and a third on the web chat."""

    def __init__(self, runtime: Runtime, clock: FakeClock) -> None:
        self.runtime = runtime
        self.clock = clock
        self.ids: dict[str, int] = {}

    async def setup(self) -> None:
        async with self.runtime.sessions() as session, session.begin():
            self.ids["telegram"] = await person(session, self.clock, "telegram", "42")
            self.ids["whatsapp"] = await person(session, self.clock, "whatsapp", "21698123456")
            self.ids["webchat"] = await person(session, self.clock, "webchat", "s-1")

    async def issue(self, who: str) -> str | None:
        async with self.runtime.sessions() as session, session.begin():
            me = await session.get(Beneficiary, self.ids[who])
            assert me is not None
            return (await issue_code(session, person=me, now=self.clock())).code

    async def redeem(self, who: str, code: str) -> str:
        async with self.runtime.sessions() as session, session.begin():
            me = await session.get(Beneficiary, self.ids[who])
            assert me is not None
            return (await redeem_code(session, person=me, code=code, now=self.clock())).outcome

    async def row(self, who: str) -> Beneficiary | None:
        async with self.runtime.sessions() as session:
            return await session.get(Beneficiary, self.ids[who])


@pytest.fixture
async def people(runtime: Runtime, clock: FakeClock) -> People:
    built = People(runtime, clock)
    await built.setup()
    return built


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_a_code_links_the_typer_into_the_one_who_took_it(people: People) -> None:
    code = await people.issue("telegram")
    assert code is not None and len(code) == 6 and code.isdigit()
    assert await people.redeem("whatsapp", code) == "linked"
    assert await people.row("whatsapp") is None
    async with people.runtime.sessions() as session:
        merge = await session.scalar(select(PersonMerge))
    assert merge is not None
    assert (merge.beneficiary_id, merge.absorbed_id, merge.merged_by) == (
        people.ids["telegram"],
        people.ids["whatsapp"],
        "person",
    )


async def test_a_code_works_once(people: People) -> None:
    code = await people.issue("telegram")
    assert code is not None
    assert await people.redeem("whatsapp", code) == "linked"
    assert await people.redeem("webchat", code) == "used"
    assert (await people.row("webchat")).link_failures == 0  # type: ignore[union-attr]


async def test_a_code_works_for_ten_minutes_only(people: People, clock: FakeClock) -> None:
    code = await people.issue("telegram")
    assert code is not None
    clock.advance(CODE_LIFETIME)
    assert await people.redeem("whatsapp", code) == "expired"
    fresh = await people.issue("telegram")
    assert fresh is not None
    clock.advance(CODE_LIFETIME - timedelta(seconds=1))
    assert await people.redeem("whatsapp", fresh) == "linked"


async def test_ones_own_code_is_refused_without_counting_a_failure(people: People) -> None:
    code = await people.issue("telegram")
    assert code is not None
    assert await people.redeem("telegram", code) == "own"
    assert (await people.row("telegram")).link_failures == 0  # type: ignore[union-attr]
    assert await people.redeem("whatsapp", code) == "linked"  # still good elsewhere


async def test_three_wrong_codes_stop_linking_for_an_hour(
    people: People, clock: FakeClock
) -> None:
    code = await people.issue("telegram")
    assert code is not None
    outcomes = [await people.redeem("whatsapp", wrong(code)) for _ in range(FAILURE_LIMIT)]
    assert outcomes == ["wrong"] * (FAILURE_LIMIT - 1) + ["blocked"]
    # Even the right code is refused now, and no new code is given to the blocked person.
    assert await people.redeem("whatsapp", code) == "blocked"
    assert await people.issue("whatsapp") is None
    clock.advance(BLOCK_FOR - timedelta(seconds=1))
    assert await people.redeem("whatsapp", code) == "blocked"
    clock.advance(timedelta(seconds=1))
    fresh = await people.issue("telegram")
    assert fresh is not None
    assert await people.redeem("whatsapp", fresh) == "linked"


async def test_success_resets_the_count_of_wrong_codes(people: People) -> None:
    code = await people.issue("telegram")
    assert code is not None
    assert await people.redeem("whatsapp", wrong(code)) == "wrong"
    assert await people.redeem("whatsapp", wrong(code)) == "wrong"
    assert await people.redeem("whatsapp", code) == "linked"
    survivor = await people.row("telegram")
    assert survivor is not None and survivor.link_failures == 0
    assert survivor.link_blocked_until is None


async def test_three_codes_an_hour_and_only_the_latest_works(
    people: People, clock: FakeClock
) -> None:
    codes = []
    for _ in range(ISSUE_LIMIT):
        codes.append(await people.issue("telegram"))
        clock.advance(timedelta(minutes=5))
    assert None not in codes
    assert await people.issue("telegram") is None
    assert await people.redeem("whatsapp", str(codes[0])) == "expired"  # a newer one ended it
    clock.advance(ISSUE_WINDOW - timedelta(minutes=5 * ISSUE_LIMIT) + timedelta(seconds=1))
    assert await people.issue("telegram") is not None


async def test_the_database_keeps_no_live_code(
    people: People, runtime: Runtime, database_url: str
) -> None:
    code = await people.issue("telegram")
    assert code is not None
    async with runtime.sessions() as session:
        [digest] = (await session.scalars(select(LinkCode.digest))).all()
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 1
    assert code not in digest and matches(code, digest)
    assert digest_of(code) != digest_of(code)  # salted per code
    assert not matches(wrong(code), digest)
    if database_url.startswith("sqlite"):
        await runtime.db.dispose()  # the WAL checkpointed into the file a dump would copy
        assert raw_hits(database_url, [code]) == []


async def test_two_people_typing_one_code_at_once_link_only_one(
    people: People, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: there is no race to lose")
    code = await people.issue("telegram")
    assert code is not None
    outcomes = await asyncio.gather(
        people.redeem("whatsapp", code), people.redeem("webchat", code)
    )
    assert sorted(outcomes) == ["linked", "used"]
    async with people.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PersonMerge)) == 1
