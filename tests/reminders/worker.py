"""A separate process that ticks reminders until none is left due, as `massar serve` would.

``python -m tests.reminders.worker DATABASE_URL [PAUSE_AT]``: with ``PAUSE_AT``, the process
stops dead in its batch number ``PAUSE_AT`` (of 25 reminders), after inserting its outbox rows
and before the commit, and prints ``paused``, so a test can kill it there.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from backend.db.base import utcnow
from backend.reminders import tick as tick_module
from backend.reminders.policy import ReminderPolicy
from backend.runtime import Runtime
from backend.settings import Settings


def pause_at(batch: int) -> None:
    """Make the tick hang in its ``batch``-th batch, its messages queued but not committed."""
    original = tick_module.queue_many
    calls = 0

    async def pausing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        rows = await original(*args, **kwargs)
        calls += 1
        if calls == batch:
            print("paused", flush=True)
            await asyncio.sleep(3600)
        return rows

    tick_module.queue_many = pausing  # type: ignore[assignment]


async def main(url: str, pause: int | None) -> None:
    settings = Settings(  # type: ignore[call-arg]
        database_url=url, quiet_hours="off", reminder_batch_size=25, _env_file=None
    )
    runtime = Runtime.build(settings)
    if pause:
        pause_at(pause)
    print("ready", flush=True)
    report = await tick_module.run_reminders(
        runtime.sessions,
        catalogs=runtime.engine.catalogs,
        policy=ReminderPolicy.from_settings(settings),
        now=utcnow(),
    )
    print(f"sent {report.sent}", flush=True)
    await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None))
