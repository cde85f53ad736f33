"""The dispatcher's send-policy hook: a channel may send its own way or hold a message."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.conversations.models import OutboxMessage
from backend.conversations.send_policy import HeldMessage
from backend.runtime import Runtime
from backend.settings import Settings
from bot.base import InboundEnvelope, SendResult
from conversations.messages import Incoming, Outgoing
from tests.backend.fakes import RecordingAdapter
from tests.support import FakeClock


@dataclass
class HoldingPolicy:
    """Sends through the adapter, except messages whose text says «hold»."""

    adapter: RecordingAdapter
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def send(
        self,
        message: Outgoing,
        *,
        address: str,
        beneficiary_id: int | None,
        payload: Mapping[str, Any],
    ) -> SendResult:
        self.seen.append({"address": address, "beneficiary_id": beneficiary_id, **payload})
        if "hold" in message.text:
            raise HeldMessage("no way to send this now")
        return await self.adapter.send(address, message)


async def test_a_policy_sends_for_its_channel_and_may_hold_a_message(
    settings: Settings, clock: FakeClock
) -> None:
    adapter = RecordingAdapter()
    runtime = Runtime.build(settings, clock=clock, extra_adapters=(adapter,), raise_errors=True)
    policy = HoldingPolicy(adapter)
    runtime.dispatcher.add_policy("test", policy)
    envelope = InboundEnvelope("test", "p-1", str(uuid.uuid4()), Incoming(text="bonjour"))
    result = await runtime.inbound.receive(envelope)
    async with runtime.sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                channel="test",
                address="p-1",
                payload=Outgoing(text="please hold", language="fr").to_payload(),
                status="queued",
                next_attempt_at=clock(),
                created_at=clock(),
            )
        )
    await runtime.dispatcher.run_once()
    assert len(policy.seen) == len(result.outbox_ids) + 1
    assert policy.seen[0]["beneficiary_id"] is not None and policy.seen[0]["address"] == "p-1"
    assert len(adapter.sent) == len(result.outbox_ids)
    async with runtime.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    held = rows[-1]
    assert (held.status, held.last_error, held.attempts) == ("held", "no way to send this now", 1)
    clock.advance(timedelta(hours=2))
    assert await runtime.dispatcher.run_once() == 0, "a held message is not retried"
    await runtime.close()
