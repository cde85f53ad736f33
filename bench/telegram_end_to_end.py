"""``massar serve`` end to end beside a bare aiogram echo bot, on the same Bot API double.

One run starts the double (``tests/doubles/telegram_api.py``, the real HTTP protocol) in this
process and each bot as its own process: ``python -m bench.bare_echo`` and ``massar serve``
(aiogram driver, polling, rate limits raised so they are not the bound). For each database
(SQLite; PostgreSQL when ``MASSAR_BENCH_DATABASE_URL`` names a disposable one), each number of
people already there and each number of chats, it runs bare, massar, bare, massar... on a
burst of menu-walking updates (see :mod:`bench.telegram_stream`) and prints the medians:

- updates/s: the updates divided by the time from their being available to the last reply;
- the ratio massar/bare;
- p99 from an update being available to the double seeing its first reply;
- paced runs (``MASSAR_BENCH_E2E_RATES`` updates a second, ``100`` by default; ``100,20``
  adds one slow enough for massar to keep up on a small machine) with their p50/p99;
- the Bot API calls each bot makes per update (a button press costs massar three: the answer
  to the press, the edit that marks it, the reply);
- dispatch at a 2,000/s limit: a pre-filled outbox sent by ``massar serve`` to the double,
  the rate after the limiter's first burst, as a fraction of the limit, beside bare aiogram
  sending as many plain messages as fast as it can (:mod:`bench.bare_send`): the ceiling of
  any sender built on aiogram on the same machine.

Then (run alone) ``EXPLAIN`` of the hot queries at 1,000,000 outbox rows on PostgreSQL, from
:mod:`bench.outbox_plans`. ``python -m bench.telegram_end_to_end``; smaller with
``MASSAR_BENCH_E2E_UPDATES``, ``_PAIRS``, ``_CHATS`` (``50,200``; empty for no bursts),
``_PEOPLE`` (``0,100000``), ``_PACED_SECONDS``, ``_DISPATCH_ROWS`` (``0`` for none);
``MASSAR_BENCH_OUTBOX_ROWS`` for the plans.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import outbox_plans
from bench.e2e_bots import (
    TOKEN,
    BotProcess,
    bare_bot,
    bare_sender,
    first_replies,
    massar_bot,
)
from bench.reminders_dispatch import _databases
from bench.seed import prefill_outbox, seed_people
from bench.telegram_stream import Step, record_walks, updates
from tests.doubles.telegram_api import TelegramApiDouble

#: The limit dispatch is measured at, in messages a second.
DISPATCH_LIMIT = 2000.0
#: The calls a bot makes to answer updates (not polling, not its set-up).
#: The bucket counts as dry below this fraction of it (50 ms of sends at the limit).
DRY = 0.05
ANSWERING = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery")


@dataclass(frozen=True)
class Options:
    """How big a run is; every figure can be made smaller for a quick look."""

    updates: int
    pairs: int
    chats: tuple[int, ...]
    people: tuple[int, ...]
    paced_rates: tuple[int, ...]
    paced_seconds: float
    dispatch_rows: int

    @classmethod
    def from_env(cls) -> Options:
        env = os.environ.get

        def numbers(name: str, default: str) -> tuple[int, ...]:
            return tuple(int(n) for n in env(name, default).split(",") if n.strip())

        return cls(
            updates=int(env("MASSAR_BENCH_E2E_UPDATES", "2000")),
            pairs=int(env("MASSAR_BENCH_E2E_PAIRS", "3")),
            chats=numbers("MASSAR_BENCH_E2E_CHATS", "50,200"),
            people=numbers("MASSAR_BENCH_E2E_PEOPLE", "0,100000"),
            paced_rates=numbers("MASSAR_BENCH_E2E_RATES", "100"),
            paced_seconds=float(env("MASSAR_BENCH_E2E_PACED_SECONDS", "10")),
            dispatch_rows=int(env("MASSAR_BENCH_E2E_DISPATCH_ROWS", "20000")),
        )


@dataclass(frozen=True)
class Run:
    """One bot on one stream: updates a second to the last reply, and latencies in seconds."""

    rate: float
    latencies: list[float]
    #: Bot API calls made per update (replies, edits, answers to button presses).
    calls: float = 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


class Stream:
    """Fresh update and chat ids for every run, so a database sees new people each time."""

    def __init__(self, walks: list[list[Step]]) -> None:
        self._walks = walks
        self._runs = 0

    def next(self, chats: int, total: int) -> list[dict[str, object]]:
        self._runs += 1
        return updates(
            self._walks,
            chats=chats,
            total=total,
            first_chat=1_000_000_000 + self._runs * 10_000,
            first_update=self._runs * 1_000_000,
        )


def run(*, plans: bool = False) -> None:
    """Print the side-by-side figures for each database; the query plans too with ``plans``."""
    options = Options.from_env()
    stream = Stream(record_walks())
    print(f"telegram end to end (load {_load()}):")
    with tempfile.TemporaryDirectory() as folder:
        for name, fresh in _databases(Path(folder)):
            for people in options.people:
                url = fresh()
                asyncio.run(seed_people(url, people))
                _run_fast(_measure(name, url, people, stream, options, Path(folder)))
    print(f"  (load after: {_load()})")
    if plans:
        outbox_plans.run(only="PostgreSQL")


async def _measure(
    name: str, url: str, people: int, stream: Stream, options: Options, folder: Path
) -> None:
    label = f"{name}, {people:,} people"
    for chats in options.chats:
        bare, ours = [], []
        for _ in range(options.pairs):
            bare.append(await _burst(bare_bot(folder), stream.next(chats, options.updates), url))
            ours.append(
                await _burst(massar_bot(url, folder), stream.next(chats, options.updates), url)
            )
        b = statistics.median(r.rate for r in bare)
        m = statistics.median(r.rate for r in ours)
        p99 = statistics.median(r.quantile(0.99) for r in ours)
        print(
            f"  {label}, {options.updates} updates from {chats} chats: bare aiogram "
            f"{b:,.0f}/s, massar {m:,.0f}/s, ratio {m / b:.2f}; burst p99 to first reply: "
            f"bare {statistics.median(r.quantile(0.99) for r in bare):.2f} s, massar {p99:.2f} s; "
            f"Bot API calls per update: bare {bare[0].calls:.2f}, massar {ours[0].calls:.2f}"
        )
    for paced_rate in options.paced_rates:
        total = int(paced_rate * options.paced_seconds)
        bare_paced = await _paced(bare_bot(folder), stream.next(50, total), paced_rate, url)
        ours_paced = await _paced(massar_bot(url, folder), stream.next(50, total), paced_rate, url)
        print(
            f"  {label}, paced {paced_rate} updates/s from 50 chats: p50/p99 to first "
            f"reply bare {_ms(bare_paced, 0.5)}/{_ms(bare_paced, 0.99)} ms, "
            f"massar {_ms(ours_paced, 0.5)}/{_ms(ours_paced, 0.99)} ms"
        )
    if options.dispatch_rows <= 0:
        return
    rate, dry = await _dispatch(url, folder, options.dispatch_rows)
    ceiling = await _bare_send(folder, options.dispatch_rows)
    bound = "the limiter's bucket ran dry" if dry else "the limiter's bucket never ran dry"
    print(
        f"  {label}, dispatch of {options.dispatch_rows} queued replies at a "
        f"{DISPATCH_LIMIT:,.0f}/s limit: {rate:,.0f}/s = {rate / DISPATCH_LIMIT:.2f} of the "
        f"limit ({bound}); bare aiogram sending as fast as it can: {ceiling:,.0f}/s "
        f"(massar = {rate / ceiling:.2f} of it)"
    )


async def _burst(bot: BotProcess, burst: list[dict[str, object]], url: str) -> Run:
    """Every update available at once; the time until the last reply."""
    async with TelegramApiDouble(TOKEN) as api, bot.running(api):
        api.queue_updates(burst)
        started = time.monotonic()
        last = int(str(burst[-1]["update_id"]))
        await api.wait_for(lambda: api.confirmed > last, within=600)
        finished = await _quiet(api)
        latencies = await first_replies(bot, api, burst, url)
        calls = sum(len(api.of(method)) for method in ANSWERING)
    return Run(len(burst) / (finished - started), latencies, calls / len(burst))


async def _paced(bot: BotProcess, paced: list[dict[str, object]], rate: float, url: str) -> Run:
    """The updates made available at ``rate`` a second, a few at each tick."""
    async with TelegramApiDouble(TOKEN) as api, bot.running(api):
        started = time.monotonic()
        queued = 0
        while queued < len(paced):
            due = min(len(paced), int((time.monotonic() - started) * rate) + 1)
            api.queue_updates(paced[queued:due])
            queued = due
            await asyncio.sleep(0.01)
        last = int(str(paced[-1]["update_id"]))
        await api.wait_for(lambda: api.confirmed > last, within=600)
        finished = await _quiet(api)
        latencies = await first_replies(bot, api, paced, url)
    return Run(len(paced) / (finished - started), latencies)


async def _dispatch(url: str, folder: Path, rows: int) -> tuple[float, bool]:
    """Messages a second ``massar serve`` sends from a full outbox at the limit, measured after
    the limiter's first burst (its bucket starts full)."""
    await prefill_outbox(url, rows, addresses=1000, first=2_000_000_000)
    bot = massar_bot(url, folder, rate=DISPATCH_LIMIT)
    async with TelegramApiDouble(TOKEN) as api, bot.running(api, wait_for_poll=False):
        await api.wait_for(lambda: len(api.of("sendMessage")) >= rows, within=600)
        return _steady_rate(api)


async def _bare_send(folder: Path, rows: int) -> float:
    """Messages a second bare aiogram sends the same way (:mod:`bench.bare_send`)."""
    bot = bare_sender(folder, rows, chats=1000)
    async with TelegramApiDouble(TOKEN) as api, bot.running(api, wait_for_poll=False):
        await api.wait_for(lambda: len(api.of("sendMessage")) >= rows, within=600)
        return _steady_rate(api)[0]


def _steady_rate(api: TelegramApiDouble) -> tuple[float, bool]:
    """The rate of ``sendMessage`` calls once the limiter's bucket ran dry, and whether it did.

    The bucket starts full (``DISPATCH_LIMIT`` tokens) and refills at the limit, so a sender
    faster than the limit keeps sending above it until the saved tokens are spent: the rate is
    measured from the first send that found the bucket (nearly) empty. A sender slower than the
    limit never empties it; its rate is measured after its first ``DISPATCH_LIMIT`` sends (at
    most half of them), as the start-up is no part of the steady rate either.
    """
    times = sorted(c.at for c in api.of("sendMessage"))
    start = times[0]
    # Tokens left when send ``i`` went out: the full bucket, plus the refill, minus the sends
    # (give or take the few the time from sender to double is worth).
    dry = next(
        (
            i
            for i, at in enumerate(times)
            if DISPATCH_LIMIT * (1 + at - start) - i < DRY * DISPATCH_LIMIT
        ),
        None,
    )
    first = dry if dry is not None else min(int(DISPATCH_LIMIT), len(times) // 2)
    if len(times) - first < 100:
        raise RuntimeError(
            f"the bucket ran dry after {first} of {len(times)} sends: queue more rows "
            "(MASSAR_BENCH_E2E_DISPATCH_ROWS) to measure the steady rate"
        )
    steady = times[first:]
    return (len(steady) - 1) / (steady[-1] - steady[0]), dry is not None


async def _quiet(api: TelegramApiDouble, *, settle: float = 1.0) -> float:
    """When the last ``sendMessage`` came, once none came for ``settle`` seconds."""
    seen = -1
    while True:
        sent = api.of("sendMessage")
        if len(sent) == seen:
            return max((c.at for c in sent), default=time.monotonic())
        seen = len(sent)
        await asyncio.sleep(settle)


def _run_fast(measure: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop when it is there: the double then answers faster, for both bots alike."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the default loop is slower, not wrong
        asyncio.run(measure)
        return
    uvloop.run(measure)


def _ms(run: Run, q: float) -> str:
    return f"{run.quantile(q) * 1000:,.0f}"


def _load() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    run(plans=True)
