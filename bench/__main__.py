"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from __future__ import annotations

import asyncio

from bench import (
    console_pages,
    engine_turns,
    inbound_pipeline,
    outbox_plans,
    reminders_dispatch,
    telegram_end_to_end,
)


def main() -> None:
    """Print each benchmark's figures."""
    asyncio.run(engine_turns.run())
    inbound_pipeline.run()
    reminders_dispatch.run()
    console_pages.run()
    outbox_plans.run()
    telegram_end_to_end.run()


if __name__ == "__main__":
    main()
