"""The Celery tasks: thin wrappers around plain functions in core (execution, finalizer)."""

from __future__ import annotations

import logging
import os
import time
from functools import cache
from typing import Any

import redis
from billiard.exceptions import WorkerLostError
from celery import Task
from celery.exceptions import Ignore
from celery.signals import task_postrun

from core.contracts.contract import Contract
from core.engine import ledger
from core.engine.app import CONTROL_QUEUE, app
from core.engine.execution import execute
from core.engine.finalizer import Finalizer
from core.engine.outage import defer_soft_limit_until_postrun, restore_soft_limit, through_outage
from core.engine.processors import DEFAULT_PROCESSOR, Processor, resolve_callable
from core.engine.report_hooks import Hook, load_hooks, load_hooks_lenient
from core.engine.settings import EngineSettings
from core.engine.task_states import LOST_REASON_PREFIX

PROCESSOR_ENV = "CONTRACT_BATCH_PROCESSOR"
log = logging.getLogger(__name__)
_settings = EngineSettings.from_env()


@cache
def current_processor() -> Processor:
    return resolve_callable(os.environ.get(PROCESSOR_ENV) or DEFAULT_PROCESSOR)


def max_attempts(settings: EngineSettings) -> int:
    """Starts allowed before a contract is failed: pool-process deaths are retried within
    ``worker_lost_retries``; beyond that margin the whole worker must be dying on it (the OOM killer
    taking the main process, a cgroup killed as a group), which Celery would redeliver forever."""
    return settings.worker_lost_retries + 3


def refusal(gate: ledger.AttemptGate, now: float) -> str | None:
    """Why a header task must do no work, as a revoke reason; None when it should run."""
    if gate.state is None:
        return LOST_REASON_PREFIX + " its batch no longer exists"
    if gate.state == ledger.STATE_CANCELLED:
        return "batch cancelled"
    if gate.revoked:
        return "revoked"
    if gate.state in (ledger.STATE_CLOSING, ledger.STATE_FINAL):
        return LOST_REASON_PREFIX + " started after its batch was finalized"
    if gate.deadline_at is not None and now >= gate.deadline_at:
        return LOST_REASON_PREFIX + " started after its batch's deadline"
    return None


@app.task(
    name="contract_batch.process",
    bind=True,
    acks_late=True,
    # A pool process dying on a contract (OOM, os._exit) re-runs it promptly, a bounded number of times:
    # bare reject_on_worker_lost would redeliver a poison contract forever.
    retry_on_worker_lost=True,
    max_retries=_settings.worker_lost_retries,
    default_retry_delay=_settings.retry_delay,
    # STARTED is recorded by the start gate (ledger.begin_attempt), in the same round trip.
    track_started=False,
    # The worker's log line and the task-succeeded event (Flower) carry a repr of the result cut at this
    # length: "{'outcome': 'succeeded', 'result', ...}". The result itself (parties, values, the
    # sentences they came from) is contract content: it stays in the result store.
    resultrepr_maxsize=40,
)
def process_contract(self: Task, batch_id: str, contract: dict[str, Any]) -> dict[str, Any]:
    now = time.time()
    # A Redis restart while this task starts is waited out: it is not the contract's failure.
    request = self.request
    ref = contract.get("content") if isinstance(contract, dict) else None
    gate = through_outage(
        lambda: ledger.begin_attempt(self.backend.client, batch_id, request.id, request.hostname, now,
                                     _settings.result_expires, ref if isinstance(ref, str) else None)
    )
    if gate.attempt > max_attempts(_settings):
        exc = WorkerLostError(f"the worker died each time it ran this contract ({gate.attempt - 1} starts)")
        self.backend.mark_as_failure(self.request.id, exc, request=self.request)
        raise Ignore()
    reason = refusal(gate, now)
    if reason is not None:
        # A revoke cannot reach a worker that was down when it was sent: the ledger is checked here too.
        self.backend.mark_as_revoked(self.request.id, reason, request=self.request)
        raise Ignore()
    result = execute(current_processor(), Contract.from_message(contract, gate.content))
    # The analysis is done: if Redis is away now, Celery's own retries wait for it while storing the
    # result (result_backend_always_retry), and the soft time limit must not turn that wait into the
    # contract's "timed out": it stays off until the result is stored (task_postrun). A PING here did the
    # same at the cost of a round trip per contract.
    defer_soft_limit_until_postrun()
    return result


@task_postrun.connect
def _soft_limit_back_on(**_: Any) -> None:
    restore_soft_limit()


def revoke_unfinished(ids: list[str]) -> None:
    """Revoke and terminate, on a connection of its own: the watchdog calls this from a thread of the
    worker's main process, and sharing the app's pooled connection with the consumer is not safe."""
    with app.connection_for_write() as connection:
        app.control.revoke(ids, terminate=True, connection=connection)


def worker_hooks(r: redis.Redis) -> list[Hook]:
    """This worker's hooks; a worker started without any uses those another worker published."""
    own = _own_hooks()
    return own if own else load_hooks_lenient(ledger.published_hook_specs(r))


@cache
def _own_hooks() -> list[Hook]:
    return load_hooks()


def make_finalizer() -> Finalizer:
    r = app.backend.client
    return Finalizer(redis=r, revoke=revoke_unfinished, hooks=worker_hooks(r))


# No time limit: the report step must not be cut short between storing the report and running hooks.
@app.task(name="contract_batch.finalize", bind=True, acks_late=True, ignore_result=True,
          soft_time_limit=None, time_limit=None)
def finalize(self: Task, batch_id: str, trigger: str = "callback") -> str:
    try:
        return make_finalizer().finalize(batch_id, trigger).value
    except Exception as exc:
        # The watchdog would finish the job later anyway; a prompt retry keeps the report quick.
        log.warning("finalizing batch %s failed (%s); retrying", batch_id, exc)
        raise self.retry(exc=exc, countdown=_settings.retry_delay, max_retries=3) from exc


@app.task(name="contract_batch.on_chord_error")
def on_chord_error(request: Any, exc: Any, traceback: Any) -> None:
    """New-style errback of the chord body: runs inline where the last header result was recorded.

    It only enqueues the report step; the batch id is the body's first argument.
    """
    args = getattr(request, "args", None) or []
    batch_id = args[0] if args else str(getattr(request, "id", "")).rsplit("-", 1)[0]
    finalize.apply_async((batch_id, "errback"), queue=CONTROL_QUEUE)
