"""Riding out a Redis outage of seconds to minutes (a restart, a failover) instead of failing work.

A contract whose analysis finished while Redis was away was recorded ``failed`` ("ConnectionError") and
never retried, and ``run --wait`` gave up although the report arrived later. Celery's own backend now
retries storing results (``result_backend_always_retry``, core.engine.app); the engine's own Redis calls
that a task or a waiting client cannot do without go through :func:`through_outage`.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import redis
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")

# What "Redis is not there right now" looks like from redis-py and kombu.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OperationalError, ConnectionError,
)
# How long a worker waits for Redis before the outage is the contract's problem after all.
WORKER_PATIENCE_S = 600.0
_FIRST_PAUSE_S, _LONGEST_PAUSE_S = 0.1, 5.0


class StillDown(RuntimeError):
    """Redis did not come back within the patience given."""


def through_outage(
    call: Callable[[], T],
    *,
    patience_s: float | None = WORKER_PATIENCE_S,
    on_wait: Callable[[float, BaseException], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, again and again with growing pauses while Redis is unreachable.

    ``on_wait(seconds_down, error)`` is told before each pause (a client says so on the terminal);
    past ``patience_s`` (None: for ever) ``StillDown`` is raised, naming the last error.
    """
    started: float | None = None
    pause = _FIRST_PAUSE_S
    while True:
        try:
            return call()
        except OUTAGE_ERRORS as exc:
            now = time.monotonic()
            started = now if started is None else started
            down = now - started
            if patience_s is not None and down >= patience_s:
                raise StillDown(f"Redis unreachable for {down:.0f} s: {type(exc).__name__}") from exc
            if on_wait is not None:
                on_wait(down, exc)
            else:
                log.warning("Redis unreachable for %.0f s (%s); retrying", down, type(exc).__name__)
            sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE_S)


@contextmanager
def soft_limit_deferred() -> Iterator[None]:
    """Within this block a soft time limit does not interrupt (prefork pool processes only).

    A contract that has been analysed must not be cut short, and reported ``timed_out``, because Redis
    is restarting while its result waits to be stored: the time spent waiting is not the contract's.
    The hard limit still applies; a worker killed by it re-runs the contract (retry on worker loss).
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGUSR1"):
        yield  # the threads pool: no signals, and no time limits to defer either
        return
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR1, previous)
