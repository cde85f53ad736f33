"""The garbage collector tuned for a server that starts once and then runs for weeks.

Importing aiogram, pydantic, FastAPI and SQLAlchemy leaves some hundreds of thousands of
objects that live as long as the process, and CPython's collector walked them again and again:
every few hundred allocations a young collection, and the full ones through all of them.
Sending an outbox full of replies, that was a third of the process's time (measured in
``bench/telegram_end_to_end.py``: 1,307 messages a second before, 2,118 after, on SQLite).
``gc.freeze`` moves what start-up made out of the collector's sight; the higher thresholds
make young collections rarer. Reference counting still frees almost everything at once; only
cycles wait a little longer.
"""

from __future__ import annotations

import gc

#: Allocations between young collections (CPython's default is 700), and how many of each
#: generation's collections before the next one up (the defaults are 10 and 10).
THRESHOLDS = (20_000, 50, 100)


def settle_after_start() -> None:
    """Call once everything long-lived is built, just before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
