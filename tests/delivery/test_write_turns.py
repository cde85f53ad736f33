"""On SQLite the message path's writers take turns in the process instead of waiting in
SQLite's busy handler (which sleeps in steps of up to 100 ms); on PostgreSQL they do not wait
for each other at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from backend.conversations.outbox import queue_messages
from backend.conversations.outbox_claim import claim_outbox
from backend.db.write_turns import write_turn
from backend.runtime import Runtime
from backend.settings import Settings
from conversations.messages import Outgoing
from tests.backend.fakes import RecordingAdapter
from tests.backend.test_pipeline import build, envelope
from tests.support import FakeClock


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    built = build(settings, clock, RecordingAdapter())
    yield built
    await built.close()


async def finished_while_held(runtime: Runtime, write: asyncio.Task[Any]) -> bool:
    """Whether ``write`` gets done while someone else holds the turn to write."""
    async with write_turn(runtime.sessions):
        done, _ = await asyncio.wait({write}, timeout=0.5)
    await write
    return bool(done)


def takes_turns(runtime: Runtime) -> bool:
    return runtime.db.dialect.name == "sqlite"


async def test_an_outbox_claim_waits_for_its_turn_on_sqlite_only(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.sessions() as session, session.begin():
        await queue_messages(
            session,
            channel="test",
            address="chat-1",
            messages=[Outgoing(text="Bonjour", language="fr")],
            beneficiary_id=None,
            now=clock(),
        )
    claim = asyncio.create_task(
        claim_outbox(runtime.sessions, ["test"], now=clock(), lease=timedelta(minutes=2), limit=9)
    )

    assert await finished_while_held(runtime, claim) is not takes_turns(runtime)
    assert len(claim.result()) == 1


async def test_an_inbound_batch_waits_for_its_turn_on_sqlite_only(runtime: Runtime) -> None:
    receive = asyncio.create_task(runtime.inbound.receive(envelope("bonjour")))

    assert await finished_while_held(runtime, receive) is not takes_turns(runtime)
    assert not receive.result().duplicate
