"""Keeping long-lived objects out of the garbage collector's way."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def settle_memory() -> None:
    """Move everything alive now out of the garbage collector's reach (``gc.freeze``).

    Measured during a live 10,000-contract batch: full collections walked every loaded contract, row and
    snapshot and held the GIL for up to 140 ms, stalling the GUI thread whichever thread triggered them.
    Frozen objects are still freed by reference counting; only cycles among them wait for unfreeze.
    """
    gc.freeze()


@contextmanager
def collector_paused(*, keep: bool) -> Iterator[None]:
    """No automatic collection while a background job builds a great many objects (a 100,000-contract
    report's summary, its PDF): each full collection walked them all with the interpreter lock held, 60 to
    130 ms during which the window could not paint. ``keep``: what the job leaves alive lives as long as
    the batch is shown, and goes straight out of the collector's reach (``settle_memory``); otherwise it
    is garbage, freed by reference counting as the job ends. The collector is process-wide: a job that
    ends re-enables it for another still running, which then only loses the pause."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if collecting:
            gc.enable()


def let_go(objects: list[Any]) -> None:
    """Free ``objects`` one at a time from the end, leaving the list empty.

    Dropping the last reference to a list of 100,000 contracts frees them all in one C-level stretch with
    the interpreter lock held: 44 ms as a live 100,000-contract launch ended (perf: the launch job's thread
    in ``subtype_dealloc`` while the GUI thread woke every millisecond to find the lock still taken). Freed
    by a Python loop, the lock changes hands every switch interval.
    """
    pop = objects.pop
    while objects:
        pop()
