"""Engine tunables: defaults chosen for real contracts, each overridable by an environment variable.

They live in one place because the client (deadline checks), the worker (time limits, retries) and the
watchdog must agree on them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from exc


@dataclass(frozen=True, slots=True)
class EngineSettings:
    # Per-contract limits; a batch may override them (``run --soft-time-limit/--time-limit``).
    soft_time_limit: float = 120.0
    time_limit: float = 150.0
    # A message a dead worker held comes back to the queue after this long. It must exceed the hard
    # time limit, or a long-running task would be handed to a second worker while the first still runs.
    visibility_timeout: float = 600.0
    # How often the kombu consumer scans for such messages.
    restore_interval: float = 10.0
    # A worker process that dies on a contract: how many re-runs, and how soon.
    worker_lost_retries: int = 2
    retry_delay: float = 1.0
    # The worker-side watchdog's period and the lease a finalizer holds while it writes the report.
    sweep_interval: float = 2.0
    finalize_lease: float = 30.0
    # With no --deadline, the unfinished are declared lost after this long without any task starting
    # anywhere while workers are up (None: derived from the visibility timeout and the time limit).
    idle_timeout: float | None = None
    # How long results and ledgers are kept in Redis.
    result_expires: float = 7 * 24 * 3600.0
    # Entries (contracts and load rejections) one batch may hold: past it the launch is refused before
    # anything is written (a million-row file once took 15 minutes and 1.9 GB of Redis to launch).
    max_batch_contracts: int = 100_000
    # A contract larger than this travels by reference: stored once in Redis as bytes and named by its
    # task's message, instead of base64 inside the JSON message (and again in kombu's unacked store). The
    # worker gets it in the start gate's round trip; smaller contracts stay inline, where a reference
    # would only add work.
    content_inline_bytes: int = 16_384

    @classmethod
    def from_env(cls) -> EngineSettings:
        d = cls()
        idle = os.environ.get("CONTRACT_BATCH_IDLE_TIMEOUT")
        return cls(
            soft_time_limit=_env_float("CONTRACT_BATCH_SOFT_TIME_LIMIT", d.soft_time_limit),
            time_limit=_env_float("CONTRACT_BATCH_TIME_LIMIT", d.time_limit),
            visibility_timeout=_env_float("CONTRACT_BATCH_VISIBILITY_TIMEOUT", d.visibility_timeout),
            restore_interval=_env_float("CONTRACT_BATCH_RESTORE_INTERVAL", d.restore_interval),
            worker_lost_retries=int(_env_float("CONTRACT_BATCH_WORKER_LOST_RETRIES", d.worker_lost_retries)),
            retry_delay=_env_float("CONTRACT_BATCH_RETRY_DELAY", d.retry_delay),
            sweep_interval=_env_float("CONTRACT_BATCH_SWEEP_INTERVAL", d.sweep_interval),
            finalize_lease=_env_float("CONTRACT_BATCH_FINALIZE_LEASE", d.finalize_lease),
            idle_timeout=float(idle) if idle else None,
            result_expires=_env_float("CONTRACT_BATCH_RESULT_EXPIRES", d.result_expires),
            max_batch_contracts=int(_env_float("CONTRACT_BATCH_MAX_BATCH", d.max_batch_contracts)),
            content_inline_bytes=int(
                _env_float("CONTRACT_BATCH_CONTENT_INLINE_BYTES", d.content_inline_bytes)
            ),
        )

    def default_idle_timeout(self, time_limit: float) -> float:
        return self.idle_timeout if self.idle_timeout is not None else (
            max(self.visibility_timeout, time_limit) + 60.0
        )
