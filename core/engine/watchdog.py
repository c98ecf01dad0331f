"""The watchdog: a thread in every worker's main process that finishes batches Celery forgot.

Celery fires nothing when a worker dies with early ack, for a poison task, for a revoke sent while no
worker ran, or when messages are lost. Every ``sweep_interval`` one worker (a Redis lock picks it) looks at
the open batches and finalizes those that are complete, past their deadline, cancelled or idle.
It runs in the main process, not as a queued task, so thousands of queued contracts cannot delay it.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import redis
from celery import Celery, bootsteps
from celery.worker import state as worker_state

from core.engine import ledger
from core.engine.finalizer import Finalizer
from core.engine.settings import EngineSettings
from core.engine.task_states import READY_STATES, read_states
from core.engine.tasks import revoke_unfinished, worker_hooks

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, r: redis.Redis, finalizer: Finalizer, settings: EngineSettings, node: str) -> None:
        self.redis = r
        self.finalizer = finalizer
        self.settings = settings
        self.node = node
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="finalize")
        self.inflight: set[str] = set()
        self.lock = threading.Lock()
        # The ledger is frozen and results never go back to unfinished: neither is read twice.
        self.task_ids: dict[str, list[str]] = {}
        self.finished: dict[str, set[str]] = {}
        self.complete_since: dict[str, float] = {}

    def sweep_once(self, now: float | None = None) -> None:
        r, s = self.redis, self.settings
        now = time.time() if now is None else now
        if not r.set(ledger.SWEEPER_KEY, self.node, nx=True, px=max(100, int(s.sweep_interval * 900))):
            return
        previous = r.getset(ledger.SWEEP_SEEN_KEY, repr(now))
        if previous is None or now - float(previous) > max(3 * s.sweep_interval, 10.0):
            # No worker swept for a while: workers were down, so the idle clock starts again now.
            ledger.touch_activity(r, now)
        activity = ledger.last_activity(r) or now
        open_ids = ledger.open_batches(r)
        for gone in set(self.task_ids) - set(open_ids):
            self.task_ids.pop(gone, None)
            self.finished.pop(gone, None)
            self.complete_since.pop(gone, None)
        for batch_id in open_ids:
            with self.lock:
                if batch_id in self.inflight:
                    continue
            found = ledger.read_meta(r, batch_id)
            if found is None:
                r.zrem(ledger.OPEN_KEY, batch_id)
                continue
            meta, state = found
            if state in (ledger.STATE_CANCELLED, ledger.STATE_CLOSING, ledger.STATE_FINAL):
                self._submit(batch_id, "watchdog", None)
            elif meta.deadline_at is not None and now >= meta.deadline_at:
                self._submit(batch_id, "deadline", None)
            elif now - max(activity, meta.created_ts) > meta.idle_timeout:
                self._submit(batch_id, "idle", "idle")
            elif self._complete(batch_id, now):
                self._submit(batch_id, "watchdog", None)

    def _complete(self, batch_id: str, now: float) -> bool:
        done = self.finished.setdefault(batch_id, set())
        ids = self.task_ids.get(batch_id)
        if ids is None:
            ids = [e.task_id for e in ledger.read_entries(self.redis, batch_id) if e.task_id is not None]
            self.task_ids[batch_id] = ids
        pending = [t for t in ids if t not in done]
        for task_id, state in zip(pending, read_states(self.redis, pending), strict=True):
            if state in READY_STATES:
                done.add(task_id)
        if len(done) < len(ids):
            self.complete_since.pop(batch_id, None)
            return False
        # Give Celery's own chord callback one period to report first; step in only if it did not.
        first = self.complete_since.setdefault(batch_id, now)
        return now - first >= self.settings.sweep_interval

    def _submit(self, batch_id: str, trigger: str, force: str | None) -> None:
        with self.lock:
            self.inflight.add(batch_id)

        def run() -> None:
            try:
                verdict = self.finalizer.finalize(batch_id, trigger, force=force)
                log.debug("watchdog: batch %s -> %s", batch_id, verdict)
            except Exception:
                log.exception("watchdog: finalizing batch %s failed; will retry", batch_id)
            finally:
                with self.lock:
                    self.inflight.discard(batch_id)

        self.executor.submit(run)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class WatchdogThread(threading.Thread):
    def __init__(self, app: Celery, node: str) -> None:
        super().__init__(name="contract-batch-watchdog", daemon=True)
        self.app = app
        self.node = node
        self.settings = EngineSettings.from_env()
        self.stopping = threading.Event()
        self.sweeper: Sweeper | None = None

    def run(self) -> None:

        r = self.app.backend.client
        finalizer = Finalizer(r, revoke=revoke_unfinished, hooks=worker_hooks(r), settings=self.settings)
        self.sweeper = Sweeper(r, finalizer, self.settings, self.node)
        while not self.stopping.is_set():
            try:
                if worker_state.active_requests:
                    # A long contract running here is activity too: batches queued behind it are not idle.
                    ledger.touch_activity(r)
                self.sweeper.sweep_once()
            except redis.RedisError as exc:
                log.warning("watchdog: Redis unavailable (%s); retrying", exc)
            except Exception:
                log.exception("watchdog: sweep failed")
            self.stopping.wait(self.settings.sweep_interval)
        self.sweeper.shutdown()

    def stop(self) -> None:
        self.stopping.set()


class WatchdogStep(bootsteps.StartStopStep):
    """Starts the watchdog with the worker, after the pool.

    Pool processes forked later (to replace one that died) copy the main process while this thread may
    be running; the thread therefore uses only its own Redis connections (revokes get a connection of
    their own), never the consumer's pooled broker connection.
    """

    requires: ClassVar[set[str]] = {"celery.worker.components:Pool"}

    def __init__(self, worker: object, **kwargs: object) -> None:
        super().__init__(worker, **kwargs)
        self.thread: WatchdogThread | None = None

    def start(self, worker: object) -> None:
        self.thread = WatchdogThread(worker.app, worker.hostname)  # type: ignore[attr-defined]
        self.thread.start()

    def stop(self, worker: object) -> None:
        if self.thread is not None:
            self.thread.stop()
