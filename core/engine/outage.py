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
from collections.abc import Callable
from typing import Any, TypeVar

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


# The soft-limit handler put aside by defer_soft_limit_until_postrun, per pool process (signal handlers are
# per process too): put back by restore_soft_limit once Celery has stored the task's result.
_put_aside: list[Any] = []


def defer_soft_limit_until_postrun() -> None:
    """From here until :func:`restore_soft_limit` (called on Celery's ``task_postrun``, after the result
    is stored) a soft time limit does not interrupt (prefork pool processes only).

    A contract that has been analysed must not be cut short, and reported ``timed_out``, because Redis
    is restarting while Celery's own retries wait to store its result: the time spent waiting is not the
    contract's. The hard limit still applies; a worker killed by it re-runs the contract (retry on worker
    loss).
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGUSR1"):
        return
    _put_aside.append(signal.signal(signal.SIGUSR1, signal.SIG_IGN))


def restore_soft_limit() -> None:
    if _put_aside:
        signal.signal(signal.SIGUSR1, _put_aside[0])  # the first: what billiard installed
        _put_aside.clear()
