"""The outbox dispatcher: claims due messages, sends them through their channel, records each
result.

Claims are leases (:mod:`backend.conversations.outbox_claim`): a process that dies mid-batch
leaves rows whose lease runs out, and the next tick sends them; nothing queued is lost.

Messages to one address keep their order, across batches and processes: the claim takes a row
only when no earlier unsent row to the same address is waiting, and when one fails and must
wait, the ones after it in the batch are released with it.

Results are fenced: each is written only while the claim still holds the row (its token and a due
status in the ``WHERE``). A claim whose lease ran out and was taken over finds its result dropped,
so a status never moves backwards and a row is recorded ``sent`` once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.conversations.dispatch_batch import (
    RECORD,
    RECORD_RETRY,
    Batch,
    Claimed,
    still_held,
)
from backend.conversations.outbox_claim import claim_outbox
from backend.conversations.send_policy import HeldMessage, SendPolicy
from backend.db.base import utcnow
from backend.db.write_turns import write_turn
from backend.people.models import Beneficiary
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


#: Claimed batches sending at once in :meth:`Dispatcher.drain`.
PIPELINE = 2

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
        concurrency: int = 10,
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
        #: Addresses sent to at once through a channel's policy, which may hold a database
        #: connection each; other channels send to every address of the batch at once.
        self._concurrency = asyncio.Semaphore(concurrency)

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
                await self.drain()
            except Exception:
                logger.exception("outbox tick failed; trying again at the next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            self._wake.clear()

    async def drain(self) -> None:
        """Send batches until a claim comes back short with no batch left sending.

        The next batch is claimed while one sends (two at most in flight), so the database's
        round trips overlap the sending instead of coming between batches: on PostgreSQL,
        where they wait on the server, that was a quarter of a batch's time. Order holds: a
        row is never claimed while an earlier row to its address is held by a claim, so the
        second batch takes no address the first is still sending to.
        """
        sending: set[asyncio.Task[None]] = set()
        try:
            while True:
                behind = bool(sending)  # rows may wait behind the batches still sending
                claimed = await self._claim(list(self._adapters))
                if claimed:
                    sending.add(asyncio.create_task(self._send_batch(claimed)))
                short = len(claimed) < self._batch_size
                if short and not behind:  # nothing held back by us: this batch is the last
                    if sending:
                        await sending.pop()
                    return
                if short or len(sending) >= PIPELINE:
                    # What waits behind a batch still sending is claimed once it is done.
                    done, sending = await asyncio.wait(
                        sending, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in done:
                        task.result()
        except asyncio.CancelledError:
            for task in sending:  # stopping: the batches' rows wait for their lease to end
                task.cancel()
            raise
        finally:
            # A batch that failed leaves the other to finish and record what it sent.
            await asyncio.gather(*sending, return_exceptions=True)

    async def run_once(self, *, channels: Sequence[str] | None = None) -> int:
        """Claim one batch of due messages and send them; returns how many were claimed."""
        claimed = await self._claim(channels or list(self._adapters))
        await self._send_batch(claimed)
        return len(claimed)

    async def _send_batch(self, claimed: Sequence[Claimed]) -> None:
        """Send a claim's rows (in order per address, addresses side by side), then record
        every result in one transaction."""
        if not claimed:
            return
        batch = Batch(opted_out=await self._opted_out(claimed))
        by_address: dict[tuple[str, str | None], list[Claimed]] = {}
        for row in claimed:
            by_address.setdefault((row.channel, row.address), []).append(row)
        try:
            await asyncio.gather(
                *(self._send_in_order(rows, batch) for rows in by_address.values())
            )
        finally:
            await self._record_batch(claimed[0].token, batch)
        if self._after_erasure and any(row.scrub_after_send for row in claimed):
            # An erased person's last message left its address in the freed pages: forget it.
            await self._after_erasure([])

    async def _claim(self, channels: Sequence[str]) -> list[Claimed]:
        return await claim_outbox(
            self._sessions,
            channels,
            now=self._clock(),
            lease=self._lease,
            limit=self._batch_size,
        )

    async def _send_in_order(self, rows: list[Claimed], batch: Batch) -> None:
        if rows[0].channel not in self._policies:
            await self._send_rows(rows, batch)
            return
        async with self._concurrency:
            await self._send_rows(rows, batch)

    async def _send_rows(self, rows: list[Claimed], batch: Batch) -> None:
        """One address's rows in order, stopping at the first that must wait or failed for
        good (the ones after it wait with it, or fail with it)."""
        for index, row in enumerate(rows):
            if self._clock() >= row.lease_until:
                # Too slow: the rows may already be another claim's. Sending now could put
                # a message after a later one; leave them to the claim that holds them.
                logger.warning("outbox message %s: lease ran out before sending", row.id)
                return
            outcome = await self._send_one(row, batch)
            if isinstance(outcome, datetime):
                for later in rows[index + 1 :]:
                    batch.release(later)
                return
            if isinstance(outcome, PermanentSendError) and outcome.unreachable:
                for later in rows[index + 1 :]:
                    self._fail(batch, later, _reason(outcome.reason, outcome.code))
                return

    async def _send_one(self, row: Claimed, batch: Batch) -> datetime | PermanentSendError | None:
        """Send one row and note the result in ``batch``.

        Returns the retry time when the row must wait, the error when it failed for good.
        """
        adapter = self._adapters.get(row.channel)
        if adapter is None or row.address is None:
            self._fail(batch, row, "no channel adapter or address for this message")
            return None
        message = Outgoing.from_payload(row.payload)
        if message.kind in UNSOLICITED_KINDS and row.beneficiary_id in batch.opted_out:
            self._fail(batch, row, "the person typed stop", status="cancelled")
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
            self._fail(batch, row, exc.reason, status="held")
            return None
        except PartialDelivery as exc:
            progress = {"parts_done": exc.parts_done, "parts_last_id": exc.last_id}
            return self._retry(batch, row, exc.reason, exc.retry_after, progress=progress)
        except TransientSendError as exc:
            return self._retry(batch, row, exc.reason, exc.retry_after)
        except PermanentSendError as exc:
            reason = _reason(exc.reason, exc.code)
            self._fail(batch, row, reason, unreachable=exc.unreachable)
            return exc
        except Exception as exc:  # an adapter bug or an unexpected network error: retry
            logger.exception("unexpected error sending outbox message %s", row.id)
            return self._retry(batch, row, type(exc).__name__, None)
        self._mark_sent(batch, row, result)
        return None

    async def _opted_out(self, claimed: Sequence[Claimed]) -> set[int]:
        """Who, among the people the batch's reminders and news are for, typed stop since
        they were queued: one query for the whole batch."""
        ids = {
            row.beneficiary_id
            for row in claimed
            if row.beneficiary_id is not None and row.payload.get("kind") in UNSOLICITED_KINDS
        }
        if not ids:
            return set()
        async with self._sessions() as session:
            found = await session.scalars(
                select(Beneficiary.id).where(
                    Beneficiary.id.in_(ids), Beneficiary.reminders_opt_out.is_(True)
                )
            )
            return set(found)

    def _mark_sent(self, batch: Batch, row: Claimed, result: SendResult) -> None:
        batch.add(
            row,
            status="sent",
            attempts=row.attempts + 1,
            sent_at=self._clock(),
            external_id=result.external_id,
            last_error=None,
            scrub=row.scrub_after_send,
        )

    def _retry(
        self,
        batch: Batch,
        row: Claimed,
        reason: str,
        retry_after: float | None,
        *,
        progress: Mapping[str, object] | None = None,
    ) -> datetime | None:
        """Note a failed attempt; ``progress`` (the parts of a long message already
        delivered) goes into the row's payload, so no process sends them again."""
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            self._fail(batch, row, f"gave up after {attempts} attempts: {reason}")
            return None
        wait = (
            timedelta(seconds=retry_after)
            if retry_after is not None
            else self._backoff.delay(attempts)
        )
        when = self._clock() + wait
        batch.add(
            row,
            status="retry",
            attempts=attempts,
            next_attempt_at=when,
            last_error=reason,
            payload={**row.payload, **progress} if progress is not None else row.payload,
        )
        return when

    def _fail(
        self,
        batch: Batch,
        row: Claimed,
        reason: str,
        *,
        unreachable: bool = False,
        status: str = "failed",
    ) -> None:
        batch.add(
            row,
            status=status,
            attempts=row.attempts + 1,
            last_error=reason,
            scrub=row.scrub_after_send,
        )
        if unreachable and row.beneficiary_id is not None:
            batch.unreachable.add(row.beneficiary_id)

    async def _record_batch(self, token: str, batch: Batch) -> None:
        """Write every result of one claim in one statement, fenced: a row is written only
        while this claim still holds it (its token, a due status). A result whose row was
        taken over (the lease ran out) is dropped, with a log line."""
        if not batch.writes:
            return
        ids = [w["w_id"] for w in batch.writes]
        async with write_turn(self._sessions), self._sessions() as session, session.begin():
            params = {"w_ids": ids, "w_token": token}
            held = set(await session.scalars(still_held(session), params))
            writes = [{**w, "w_token": token} for w in batch.writes if w["w_id"] in held]
            plain = [w for w in writes if "w_payload" not in w]
            retries = [w for w in writes if "w_payload" in w]
            if plain:
                await session.execute(RECORD, plain)
            if retries:
                await session.execute(RECORD_RETRY, retries)
            reached = {
                w["w_beneficiary"] for w in writes if w["w_beneficiary"] in batch.unreachable
            }
            if reached:
                await session.execute(
                    update(Beneficiary)
                    .where(Beneficiary.id.in_(reached))
                    .values(unreachable=True)
                    .execution_options(synchronize_session=False)
                )
        for write in batch.writes:
            status, row_id = write["w_status"], write["w_id"]
            if row_id not in held:
                logger.warning(
                    "outbox message %s: result %s dropped, this claim no longer holds the row",
                    row_id,
                    status,
                )
            elif status == "retry":
                logger.info(
                    "outbox message %s will be retried at %s: %s",
                    row_id,
                    write.get("w_next"),
                    write["w_error"],
                )
            elif status in ("failed", "held", "cancelled"):
                logger.warning("outbox message %s %s: %s", row_id, status, write["w_error"])


def _reason(reason: str, code: str | None) -> str:
    return f"{code}: {reason}" if code else reason
