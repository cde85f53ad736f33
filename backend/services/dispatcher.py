"""The outbox dispatcher: claims due messages, sends them through their channel, records each
result.

Claims are leases: a row is taken for ``lease`` seconds with a random token. A process that
dies mid-batch leaves rows whose lease runs out, and the next tick sends them; nothing queued is
lost. On PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so several processes share the
work without waiting on each other; on SQLite a conditional ``UPDATE`` does the same job.

Messages to one address keep their order, across batches and processes: the claim takes a row
only when no earlier unsent row to the same address is waiting (for a retry, or leased to another
claim), and when one fails and must wait, the ones after it in the batch are released with it.
On PostgreSQL claims take turns on an advisory lock, so two claims never judge "earlier" from the
same snapshot.

Results are fenced: each is written only while the claim still holds the row (its token and a due
status in the ``WHERE``). A claim whose lease ran out and was taken over finds its result dropped,
so a status never moves backwards and a row is recorded ``sent`` once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from backend.db.dialect import is_postgres
from backend.db.models import Beneficiary, OutboxMessage, utcnow
from backend.services.send_policy import HeldMessage, SendPolicy
from bot.base import (
    ChannelAdapter,
    PartialDelivery,
    PermanentSendError,
    ResumableAdapter,
    SendResult,
    TransientSendError,
)
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)

DUE_STATUSES = ("queued", "retry")
#: Serialises outbox claims across processes on PostgreSQL (an arbitrary, fixed key).
CLAIM_LOCK_KEY = 0x6D617373
#: Messages the person did not ask for: "stop" cancels them even once queued.
UNSOLICITED_KINDS = frozenset({"reminder", "broadcast"})


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: ``base`` doubled per attempt, at most ``cap``."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=15)

    def delay(self, attempts: int) -> timedelta:
        """The wait before attempt number ``attempts + 1``."""
        delay: timedelta = self.base * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    address: str | None
    payload: dict[str, object]
    attempts: int
    beneficiary_id: int | None
    scrub_after_send: bool
    token: str
    lease_until: datetime


class Dispatcher:
    """Sends the outbox. Call :meth:`run_once` from a tick, or :meth:`run_forever` in a task."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        adapters: Mapping[str, ChannelAdapter],
        batch_size: int = 100,
        max_attempts: int = 8,
        lease: timedelta = timedelta(seconds=120),
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = utcnow,
        policies: Mapping[str, SendPolicy] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._adapters = dict(adapters)
        self._policies = dict(policies or {})
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._lease = lease
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._wake = asyncio.Event()

    def add_adapter(self, adapter: ChannelAdapter) -> None:
        """Register a channel started after the dispatcher."""
        self._adapters[adapter.name] = adapter

    def add_policy(self, channel: str, policy: SendPolicy) -> None:
        """Let ``policy`` decide how ``channel``'s messages go (WhatsApp's 24-hour window)."""
        self._policies[channel] = policy

    def kick(self) -> None:
        """Wake the loop: new messages are queued."""
        self._wake.set()

    async def run_forever(self, *, interval: float = 1.0) -> None:
        """Send until cancelled, waking on :meth:`kick` or every ``interval`` seconds."""
        while True:
            try:
                while await self.run_once() == self._batch_size:
                    pass
            except Exception:
                logger.exception("outbox tick failed; trying again at the next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            self._wake.clear()

    async def run_once(self, *, channels: Sequence[str] | None = None) -> int:
        """Claim one batch of due messages and send them; returns how many were claimed."""
        claimed = await self._claim(channels or list(self._adapters))
        await self._send_batch(claimed)
        return len(claimed)

    async def _send_batch(self, claimed: Sequence[_Claimed]) -> None:
        by_address: dict[tuple[str, str | None], list[_Claimed]] = {}
        for row in claimed:
            by_address.setdefault((row.channel, row.address), []).append(row)
        await asyncio.gather(*(self._send_in_order(rows) for rows in by_address.values()))

    async def _claim(self, channels: Sequence[str]) -> list[_Claimed]:
        now = self._clock()
        token = str(uuid.uuid4())
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
        earlier = aliased(OutboxMessage)
        # An earlier unsent row to the same address that this claim cannot take: it waits for a
        # retry, or another claim holds it. Everything after it waits too.
        blocked = exists().where(
            earlier.channel == OutboxMessage.channel,
            earlier.address == OutboxMessage.address,
            earlier.id < OutboxMessage.id,
            _pending(earlier.status),
            or_(
                earlier.next_attempt_at > now,
                and_(earlier.claimed_until.is_not(None), earlier.claimed_until >= now),
            ),
        )
        due = and_(
            _pending(OutboxMessage.status),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels),
            free,
            ~blocked,
        )
        async with self._sessions() as session, session.begin():
            candidates = (
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
            )
            if is_postgres(session):
                # Claims take turns, so each sees the leases the one before it committed; the
                # row locks then wait for any writer still holding a candidate.
                await session.execute(
                    select(func.pg_advisory_xact_lock(text(str(CLAIM_LOCK_KEY))))
                )
                candidates = candidates.with_for_update()
            # One statement claims and returns the rows: the candidates are locked (PostgreSQL)
            # and the statement is atomic under the write lock (SQLite).
            claimed = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
                .values(claimed_until=now + self._lease, claim_token=token)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.channel,
                    OutboxMessage.address,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                    OutboxMessage.beneficiary_id,
                    OutboxMessage.scrub_after_send,
                )
                .execution_options(synchronize_session=False)
            )
            rows = sorted(claimed.all(), key=lambda r: r.id)
            return [
                _Claimed(
                    id=r.id,
                    channel=r.channel,
                    address=r.address,
                    payload=dict(r.payload),
                    attempts=r.attempts,
                    beneficiary_id=r.beneficiary_id,
                    scrub_after_send=r.scrub_after_send,
                    token=token,
                    lease_until=now + self._lease,
                )
                for r in rows
            ]

    async def _send_in_order(self, rows: list[_Claimed]) -> None:
        for index, row in enumerate(rows):
            if self._clock() >= row.lease_until:
                # Too slow: the rows may already be another claim's. Sending now could put a
                # message after a later one; leave them to the claim that holds them.
                logger.warning("outbox message %s: lease ran out before sending", row.id)
                return
            outcome = await self._send_one(row)
            if isinstance(outcome, datetime):
                await self._release(rows[index + 1 :])
                return
            if isinstance(outcome, PermanentSendError) and outcome.unreachable:
                for later in rows[index + 1 :]:
                    await self._fail(later, _reason(outcome.reason, outcome.code))
                return

    async def _send_one(self, row: _Claimed) -> datetime | PermanentSendError | None:
        """Send one row and record the result.

        Returns the retry time when the row must wait, the error when it failed for good.
        """
        adapter = self._adapters.get(row.channel)
        if adapter is None or row.address is None:
            await self._fail(row, "no channel adapter or address for this message")
            return None
        message = Outgoing.from_payload(row.payload)
        if message.kind in UNSOLICITED_KINDS and await self._opted_out(row.beneficiary_id):
            await self._fail(row, "the person typed stop", status="cancelled")
            return None
        policy = self._policies.get(row.channel)
        parts_done = row.payload.get("parts_done")
        try:
            if isinstance(parts_done, int) and isinstance(adapter, ResumableAdapter):
                last_id = row.payload.get("parts_last_id")
                result = await adapter.send_from(
                    row.address,
                    message,
                    parts_done=parts_done,
                    last_id=last_id if isinstance(last_id, str) else None,
                )
            elif policy is None:
                result = await adapter.send(row.address, message)
            else:
                result = await policy.send(
                    message,
                    address=row.address,
                    beneficiary_id=row.beneficiary_id,
                    payload=row.payload,
                )
        except HeldMessage as exc:
            await self._fail(row, exc.reason, status="held")
            return None
        except PartialDelivery as exc:
            progress = {"parts_done": exc.parts_done, "parts_last_id": exc.last_id}
            return await self._retry(row, exc.reason, exc.retry_after, progress=progress)
        except TransientSendError as exc:
            return await self._retry(row, exc.reason, exc.retry_after)
        except PermanentSendError as exc:
            await self._fail(row, _reason(exc.reason, exc.code), unreachable=exc.unreachable)
            return exc
        except Exception as exc:  # an adapter bug or an unexpected network error: retry
            logger.exception("unexpected error sending outbox message %s", row.id)
            return await self._retry(row, type(exc).__name__, None)
        await self._mark_sent(row, result)
        return None

    async def _opted_out(self, beneficiary_id: int | None) -> bool:
        """Whether the person asked for no more reminders or news since this was queued."""
        if beneficiary_id is None:
            return False
        async with self._sessions() as session:
            opted_out = await session.scalar(
                select(Beneficiary.reminders_opt_out).where(Beneficiary.id == beneficiary_id)
            )
        return bool(opted_out)

    async def _mark_sent(self, row: _Claimed, result: SendResult) -> None:
        now = self._clock()
        values: dict[str, object] = {
            "status": "sent",
            "sent_at": now,
            "external_id": result.external_id,
            "attempts": row.attempts + 1,
            "last_error": None,
        }
        if row.scrub_after_send:
            values["address"] = None
        async with self._sessions() as session, session.begin():
            await self._record(session, row, values)

    async def _retry(
        self,
        row: _Claimed,
        reason: str,
        retry_after: float | None,
        *,
        progress: Mapping[str, object] | None = None,
    ) -> datetime | None:
        """Record a failed attempt; ``progress`` (the parts of a long message already
        delivered) goes into the row's payload, so no process sends them again."""
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            await self._fail(row, f"gave up after {attempts} attempts: {reason}")
            return None
        wait = (
            timedelta(seconds=retry_after)
            if retry_after is not None
            else self._backoff.delay(attempts)
        )
        when = self._clock() + wait
        values: dict[str, object] = {
            "status": "retry",
            "attempts": attempts,
            "next_attempt_at": when,
            "last_error": reason,
        }
        if progress is not None:
            values["payload"] = {**row.payload, **progress}
        async with self._sessions() as session, session.begin():
            held = await self._record(session, row, values)
        if not held:
            return when
        logger.info("outbox message %s will be retried at %s: %s", row.id, when, reason)
        return when

    async def _release(self, rows: list[_Claimed]) -> None:
        """Give back rows this claim will not send now; the claim skips them while an earlier
        row to their address waits."""
        if not rows:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_([r.id for r in rows]),
                    OutboxMessage.claim_token == rows[0].token,
                    OutboxMessage.status.in_(DUE_STATUSES),
                )
                .values(claimed_until=None, claim_token=None)
                .execution_options(synchronize_session=False)
            )

    async def _record(
        self, session: AsyncSession, row: _Claimed, values: Mapping[str, object]
    ) -> bool:
        """Write a result only if this claim still holds the row; ``False`` when it was
        dropped (the lease ran out and another claim took the row, or it is no longer due)."""
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.claim_token == row.token,
                OutboxMessage.status.in_(DUE_STATUSES),
            )
            .values(**values, claimed_until=None, claim_token=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return True
        logger.warning(
            "outbox message %s: result %s dropped, this claim no longer holds the row",
            row.id,
            values.get("status"),
        )
        return False

    async def _fail(
        self, row: _Claimed, reason: str, *, unreachable: bool = False, status: str = "failed"
    ) -> None:
        async with self._sessions() as session, session.begin():
            held = await self._record(
                session,
                row,
                {
                    "status": status,
                    "attempts": row.attempts + 1,
                    "last_error": reason,
                    "address": None if row.scrub_after_send else row.address,
                },
            )
            if not held:
                return
            if unreachable and row.beneficiary_id is not None:
                await session.execute(
                    update(Beneficiary)
                    .where(Beneficiary.id == row.beneficiary_id)
                    .values(unreachable=True)
                )
        logger.warning("outbox message %s %s: %s", row.id, status, reason)


def _pending(status: Any) -> ColumnElement[bool]:
    """``status IN ('queued', 'retry')`` with the values written out, so that SQLite (and
    PostgreSQL's generic plans) can tell the partial index on unsent rows applies."""
    return cast(
        "ColumnElement[bool]", status.in_([literal_column(f"'{s}'") for s in DUE_STATUSES])
    )


def _reason(reason: str, code: str | None) -> str:
    return f"{code}: {reason}" if code else reason
