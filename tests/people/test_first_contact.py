"""A first message makes one person, however many processes receive messages from that
address at the same moment, and however many newcomers a batch brings."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from backend.people.models import Address, Beneficiary
from backend.settings import Settings
from tests.backend.fakes import RecordingAdapter
from tests.backend.test_pipeline import build, count, envelope
from tests.support import FakeClock


async def test_two_processes_meeting_a_newcomer_at_once_make_one_person(
    settings: Settings, clock: FakeClock
) -> None:
    one = build(settings, clock, RecordingAdapter())
    two = build(settings, clock, RecordingAdapter())
    newcomers = [f"new-{n}" for n in range(8)]
    results = await asyncio.gather(
        *(one.inbound.receive(envelope("bonjour", address=a)) for a in newcomers),
        *(two.inbound.receive(envelope("salut", address=a)) for a in reversed(newcomers)),
    )
    assert all(r.outbox_ids for r in results)
    assert await count(one, Beneficiary) == len(newcomers)
    async with one.sessions() as session:
        per_address = await session.execute(
            select(Address.address, func.count()).group_by(Address.address)
        )
        assert dict(per_address.all()) == dict.fromkeys(newcomers, 1)
        owners = set(await session.scalars(select(Address.beneficiary_id)))
        assert owners == set(await session.scalars(select(Beneficiary.id)))
    await one.close()
    await two.close()
