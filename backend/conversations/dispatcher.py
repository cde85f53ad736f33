"""The outbox dispatcher: claims due messages, sends them through their channel, records each
result.

Claims are leases: a row is taken for ``lease`` seconds with a random token. A process that
dies mid-batch leaves rows whose lease runs out, and the next tick sends them; nothing queued is
lost. On PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so several processes share the
work without waiting on each other; on SQLite a conditional ``UPDATE`` does the same job.

Messages to one address keep their order: when one fails and must wait, the ones after it in
the batch wait with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.models import OutboxMessage
from backend.conversations.send_policy import HeldMessage, SendPolicy
from backend.db.base import utcnow
from backend.db.dialect import is_postgres
from backend.people.models import Beneficiary
from bot.base import ChannelAdapter, PermanentSendError, SendResult, TransientSendError
from conversations.messages import Outgoing

logger = logging.getLogger(__name__)

DUE_STATUSES = ("queued", "retry")
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
        after_erasure: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> None:
        self._sessions = session_factory
        #: Called once an erased person's last message lost its address (see backend.people).
        self._after_erasure = after_erasure
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
        by_address: dict[tuple[str, str | None], list[_Claimed]] = {}
        for row in claimed:
            by_address.setdefault((row.channel, row.address), []).append(row)
        await asyncio.gather(*(self._send_in_order(rows) for rows in by_address.values()))
        return len(claimed)

    async def _claim(self, channels: Sequence[str]) -> list[_Claimed]:
        now = self._clock()
        token = str(uuid.uuid4())
        due = and_(
            OutboxMessage.status.in_(DUE_STATUSES),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        async with self._sessions() as session, session.begin():
            candidates = (
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
            )
            if is_postgres(session):
                candidates = candidates.with_for_update(skip_locked=True)
            # One statement claims and returns the rows: the candidates are locked (PostgreSQL:
            # skipping those another process holds) and the statement is atomic (SQLite).
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
                )
                for r in rows
            ]

    async def _send_in_order(self, rows: list[_Claimed]) -> None:
        for index, row in enumerate(rows):
            outcome = await self._send_one(row)
            if isinstance(outcome, datetime):
                await self._hold_back(rows[index + 1 :], outcome)
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
        try:
            if policy is None:
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
            "claimed_until": None,
            "last_error": None,
        }
        if row.scrub_after_send:
            values["address"] = None
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
        if row.scrub_after_send and self._after_erasure:
            await self._after_erasure([])

    async def _retry(
        self, row: _Claimed, reason: str, retry_after: float | None
    ) -> datetime | None:
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
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status="retry",
                    attempts=attempts,
                    next_attempt_at=when,
                    claimed_until=None,
                    last_error=reason,
                )
            )
        logger.info("outbox message %s will be retried at %s: %s", row.id, when, reason)
        return when

    async def _hold_back(self, rows: list[_Claimed], until: datetime) -> None:
        if not rows:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([r.id for r in rows]))
                .values(next_attempt_at=until, claimed_until=None)
            )

    async def _fail(
        self, row: _Claimed, reason: str, *, unreachable: bool = False, status: str = "failed"
    ) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status=status,
                    attempts=row.attempts + 1,
                    claimed_until=None,
                    last_error=reason,
                    address=None if row.scrub_after_send else row.address,
                )
            )
            if unreachable and row.beneficiary_id is not None:
                await session.execute(
                    update(Beneficiary)
                    .where(Beneficiary.id == row.beneficiary_id)
                    .values(unreachable=True)
                )
        logger.warning("outbox message %s %s: %s", row.id, status, reason)


def _reason(reason: str, code: str | None) -> str:
    return f"{code}: {reason}" if code else reason
