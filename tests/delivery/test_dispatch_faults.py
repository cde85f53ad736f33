"""The dispatcher under random faults, with two dispatchers on one database: a stateful
hypothesis test.

Whatever the channel answers (429 with ``retry_after``, 5xx, timeouts before or after the message
went out, a permanent refusal, a send so slow that its lease runs out while the other dispatcher
works), three things hold:

- order per address: a message is never delivered while an earlier one to the same address is
  neither delivered nor failed for good;
- a row is recorded ``sent`` once: its ``external_id`` never changes after it is ``sent``;
- statuses only move forward, attempts never go down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.conversations.dispatch_batch import Claimed
from backend.conversations.dispatcher import Dispatcher
from backend.conversations.models import OutboxMessage
from backend.conversations.outbox import queue_messages
from backend.db.session import make_engine, make_session_factory
from bot.base import PermanentSendError, SendResult, TransientSendError
from conversations.messages import Outgoing
from tests.support import FakeClock

ADDRESSES = ("chat-a", "chat-b", "chat-c")
LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
FORWARD: dict[str, set[str]] = {
    "queued": {"queued", "retry", "sent", "failed", "cancelled", "held"},
    "retry": {"retry", "sent", "failed", "cancelled", "held"},
    "sent": {"sent"},
    "failed": {"failed"},
    "cancelled": {"cancelled"},
    "held": {"held"},
}
FAULTS = st.one_of(
    st.tuples(st.just("429"), st.integers(1, 90)),
    st.tuples(st.just("slow"), st.sampled_from(["ok", "502"])),
    st.tuples(st.sampled_from(["502", "timeout", "timeout-after-delivery", "400"])),
)


@dataclass
class World:
    """What the channel saw, shared by both dispatchers' adapters."""

    clock: FakeClock
    sessions: async_sessionmaker[AsyncSession]
    faults: list[tuple[Any, ...]] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    external_ids: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    refused: set[int] = field(default_factory=set)
    tries: dict[int, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    dispatchers: list[Dispatcher] = field(default_factory=list)
    nested: bool = False
    checkpoint: Callable[[], Awaitable[None]] | None = None


@dataclass
class FaultyAdapter:
    """A channel that fails as told and checks, at each delivery, the order per address."""

    world: World
    name: str = "test"

    async def send(self, address: str, message: Outgoing) -> SendResult:
        world = self.world
        fault = world.faults.pop(0) if world.faults and not world.nested else None
        kind = fault[0] if fault else None
        row_id = world.rows[message.text]
        world.tries[row_id] = world.tries.get(row_id, 0) + 1
        if kind == "400":
            world.refused.add(row_id)
        if kind == "429":
            raise TransientSendError("too many requests", code="429", retry_after=fault[1])
        if kind == "502":
            raise TransientSendError("bad gateway", code="502")
        if kind == "timeout":
            raise TimeoutError
        if kind == "400":
            raise PermanentSendError("bad request", code="400")
        if kind == "slow":
            # The lease runs out while the message is on its way; the other dispatcher works.
            world.clock.advance(LEASE + timedelta(seconds=1))
            world.nested = True
            try:
                await world.dispatchers[1].run_once()
            finally:
                world.nested = False
            if world.checkpoint is not None:
                await world.checkpoint()  # what the other dispatcher recorded, before we go on
            if fault[1] == "502":
                raise TransientSendError("bad gateway", code="502")
        await self._check_order(address, row_id)
        world.delivered.append(row_id)
        external_id = f"ext-{len(world.delivered)}"
        world.external_ids[external_id] = row_id
        if kind == "timeout-after-delivery":
            raise TimeoutError
        return SendResult(external_id=external_id)

    async def _check_order(self, address: str, row_id: int) -> None:
        async with self.world.sessions() as session:
            earlier = (
                await session.execute(
                    select(OutboxMessage.id, OutboxMessage.status).where(
                        OutboxMessage.channel == "test",
                        OutboxMessage.address == address,
                        OutboxMessage.id < row_id,
                    )
                )
            ).all()
        world = self.world
        for other, status in earlier:
            # Done with: delivered, refused for good, or given up after its last try (results
            # are recorded at the end of a batch, so the database may not say so yet).
            done = (
                other in world.delivered
                or other in world.refused
                or world.tries.get(other, 0) >= MAX_ATTEMPTS
                or status in ("failed", "cancelled")
            )
            if not done:
                self.world.violations.append(
                    f"row {row_id} to {address} delivered while row {other} was {status}"
                )


def make_machine(url: str, loop: asyncio.AbstractEventLoop) -> type[RuleBasedStateMachine]:
    engines: list[AsyncEngine] = [make_engine(url), make_engine(url)]
    factories = [make_session_factory(e) for e in engines]

    class DispatchUnderFaults(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = FakeClock()
            self.world = World(clock=self.clock, sessions=factories[0])
            self.world.dispatchers = [
                Dispatcher(
                    session_factory=factory,
                    adapters={"test": FaultyAdapter(self.world)},
                    batch_size=4,
                    lease=LEASE,
                    max_attempts=MAX_ATTEMPTS,
                    clock=self.clock,
                )
                for factory in factories
            ]
            self.seen: dict[int, tuple[str, int, str | None]] = {}
            self.stalled: tuple[Dispatcher, list[Claimed]] | None = None
            self.count = 0
            self.world.checkpoint = self._check_forward
            self.run(self._empty())

        def run(self, coroutine: Any) -> Any:
            return loop.run_until_complete(coroutine)

        async def _empty(self) -> None:
            async with factories[0]() as session, session.begin():
                await session.execute(delete(OutboxMessage))

        @rule(address=st.sampled_from(ADDRESSES), n=st.integers(1, 3))
        def queue(self, address: str, n: int) -> None:
            async def go() -> None:
                texts = [f"m{self.count + i}" for i in range(n)]
                self.count += n
                async with factories[0]() as session, session.begin():
                    rows = await queue_messages(
                        session,
                        channel="test",
                        address=address,
                        messages=[Outgoing(text=t, language="fr") for t in texts],
                        beneficiary_id=None,
                        now=self.clock(),
                    )
                    for text, row in zip(texts, rows, strict=True):
                        self.world.rows[text] = row.id

            self.run(go())

        @rule(fault=FAULTS)
        def fault(self, fault: tuple[Any, ...]) -> None:
            self.world.faults.append(fault)

        @rule(which=st.integers(0, 1))
        def dispatch(self, which: int) -> None:
            self.run(self.world.dispatchers[which].run_once())

        @rule()
        def dispatch_both_at_once(self) -> None:
            async def go() -> None:
                await asyncio.gather(*(d.run_once() for d in self.world.dispatchers))

            self.run(go())

        @precondition(lambda self: self.stalled is None)
        @rule(which=st.integers(0, 1))
        def claim_and_stall(self, which: int) -> None:
            dispatcher = self.world.dispatchers[which]
            self.stalled = (dispatcher, self.run(dispatcher._claim(["test"])))

        @precondition(lambda self: self.stalled is not None)
        @rule()
        def resume_stalled(self) -> None:
            assert self.stalled is not None
            dispatcher, claimed = self.stalled
            self.stalled = None
            self.run(dispatcher._send_batch(claimed))

        @rule(seconds=st.integers(0, 200))
        def advance(self, seconds: int) -> None:
            self.clock.advance(timedelta(seconds=seconds))

        @invariant()
        def order_per_address(self) -> None:
            assert not self.world.violations, self.world.violations

        @invariant()
        def statuses_move_forward_and_sent_is_recorded_once(self) -> None:
            self.run(self._check_forward())

        async def _check_forward(self) -> None:
            for row_id, status, attempts, external_id in await self._snapshot():
                before = self.seen.get(row_id)
                if before is not None:
                    old_status, old_attempts, old_external = before
                    assert status in FORWARD[old_status], (row_id, old_status, status)
                    assert attempts >= old_attempts, (row_id, old_attempts, attempts)
                    if old_status == "sent":
                        assert external_id == old_external, (row_id, old_external, external_id)
                if status == "sent":
                    assert external_id is not None
                    assert self.world.external_ids.get(external_id) == row_id
                self.seen[row_id] = (status, attempts, external_id)

        async def _snapshot(self) -> list[tuple[int, str, int, str | None]]:
            async with factories[0]() as session:
                found = await session.execute(
                    select(
                        OutboxMessage.id,
                        OutboxMessage.status,
                        OutboxMessage.attempts,
                        OutboxMessage.external_id,
                    )
                )
                return [tuple(r) for r in found.all()]  # type: ignore[misc]

        def teardown(self) -> None:
            """Drain: with no more faults, every message ends sent or failed, in order."""
            self.world.faults.clear()
            self.stalled = None
            for _ in range(30):
                self.clock.advance(timedelta(minutes=20))
                while self.run(self.world.dispatchers[0].run_once()):
                    pass
            statuses = {row_id: status for row_id, status, _, _ in self.run(self._snapshot())}
            assert set(statuses.values()) <= {"sent", "failed"}, statuses
            self.order_per_address()
            self.statuses_move_forward_and_sent_is_recorded_once()

    DispatchUnderFaults.engines = engines  # type: ignore[attr-defined]
    return DispatchUnderFaults


def test_order_exactly_once_and_forward_statuses_under_faults(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    try:
        machine = make_machine(database_url, loop)
        machine.TestCase.settings = settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        try:
            machine.TestCase().runTest()
        finally:
            for engine in machine.engines:  # type: ignore[attr-defined]
                loop.run_until_complete(engine.dispose())
    finally:
        loop.close()
