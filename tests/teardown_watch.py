"""A test whose teardown hangs says why.

Once in CI the suite stopped for good at the end of a console browser test, in the event loop's
shutdown (it cancels every task left and waits for them: one never finished). After a minute
of teardown, every task still pending on an open event loop is written out with its stack, so
the next such hang names its task instead of only stopping the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

import pytest

#: Seconds a test's teardown may take before the pending tasks are written out.
PATIENCE = 60.0


def _write_pending_tasks(test: str, config: pytest.Config) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        _write_to(sys.stderr, test)


def _write_to(out: TextIO, test: str) -> None:
    print(f"\n{test}: teardown still running after {PATIENCE:.0f} s; pending tasks:", file=out)
    loops = [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]
    for loop in (loop for loop in loops if not loop.is_closed()):
        try:
            tasks = list(asyncio.all_tasks(loop))
        except RuntimeError:  # the loop's set of tasks changed while it was read
            continue
        for task in tasks:
            print(f"--- {task!r}", file=out)
            task.print_stack(file=out)
    out.flush()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    timer = threading.Timer(PATIENCE, _write_pending_tasks, args=(item.nodeid, item.config))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()
