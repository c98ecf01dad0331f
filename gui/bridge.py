"""The one QObject between the engine (Redis, Celery, SMTP: all blocking) and the widgets.

Three kinds of background work, none ever on the GUI thread:

* a polling thread that watches one batch: every ``interval`` it reads the unfinished tasks' states in one
  bulk read (``BatchClient.states``: pipelined MGETs) and the full snapshot only of the rows whose state
  changed, then emits those rows;
* a health thread that pings the broker and the workers every few seconds;
* a small thread pool for one-off jobs (start local mode, load files, launch, cancel, revoke, render,
  export, send); each job's result or exception comes back as a signal and its callback runs on the GUI
  thread.

Signals emitted from these threads are queued into the GUI thread by Qt, so slots never race the widgets.
"""

from __future__ import annotations

import functools
import gc
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from PySide6.QtCore import QObject, Signal

from core import json_yielding
from core.engine.broker import BrokerUnavailable
from core.json_yielding import Pacer
from core.local.history import HistoryStore
from core.outcome import Outcome
from gui.models import RowUpdate, TaskRow

if TYPE_CHECKING:
    # core.engine.client pulls in Celery (~0.6 s): imported by the connecting job, never on the window's path.
    from core.engine.client import BatchClient

log = logging.getLogger(__name__)

# core.engine.task_states.READY_STATES, repeated so this module does not import the engine at startup.
READY_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})
FAILED_OUTCOMES = frozenset({Outcome.FAILED, Outcome.TIMED_OUT, Outcome.REVOKED, Outcome.LOST})
HISTORY_COUNTS_EVERY_S = 2.0


@dataclass(frozen=True, slots=True)
class Health:
    mode: str  # "local" or "remote"
    broker: str  # masked URL
    reachable: bool
    workers: tuple[str, ...]
    message: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    batch_id: str
    state: str  # open | cancelled | closing | final | expired
    total: int  # dispatched tasks
    done: int
    failures: int
    counts: dict[str, int]
    created_ts: float


@dataclass(frozen=True, slots=True)
class LoadedBatch:
    """A batch as the grid first shows it (on launch, on reopen, on reattach)."""

    batch_id: str
    label: str
    created_ts: float
    state: str
    rows: list[TaskRow]
    report: dict[str, Any] | None


@dataclass
class _Watch:
    batch_id: str
    ids: list[str] = field(default_factory=list)
    row_of: list[int] = field(default_factory=list)  # grid row of each dispatched task
    states: list[str] = field(default_factory=list)
    outcomes: list[str | None] = field(default_factory=list)
    created_ts: float = 0.0
    loaded: bool = False
    final: bool = False
    recorded: tuple[Any, ...] = ()  # (state, counts) last written to the history
    recorded_at: float = 0.0
    # Kept up to date row by row (``set``) rather than recounted over every task on each poll.
    pending: list[int] = field(default_factory=list)  # tasks not yet in a ready state
    counts: Counter[str] = field(default_factory=Counter)  # outcome (or "unfinished") -> tasks
    done: int = 0
    failures: int = 0

    def reset(self, states: list[str], outcomes: list[str | None]) -> None:
        self.states, self.outcomes = states, outcomes
        self.pending = [k for k, s in enumerate(states) if s not in READY_STATES]
        self.counts = Counter(o or "unfinished" for o in outcomes)
        self.done = sum(1 for s, o in zip(states, outcomes, strict=True) if _done(s, o))
        self.failures = sum(1 for o in outcomes if o in FAILED_OUTCOMES)

    def set(self, k: int, state: str, outcome: str | None) -> None:
        old_state, old_outcome = self.states[k], self.outcomes[k]
        self.counts[old_outcome or "unfinished"] -= 1
        self.counts[outcome or "unfinished"] += 1
        self.done += _done(state, outcome) - _done(old_state, old_outcome)
        self.failures += (outcome in FAILED_OUTCOMES) - (old_outcome in FAILED_OUTCOMES)
        self.states[k], self.outcomes[k] = state, outcome

    def progress(self, state: str) -> Progress:
        counts = {key: n for key, n in self.counts.items() if n}
        total = len(self.ids)
        return Progress(self.batch_id, state, total, self.done, self.failures, counts, self.created_ts)


def _done(state: str, outcome: str | None) -> bool:
    return outcome is not None or state in READY_STATES


class Bridge(QObject):
    job_finished = Signal(int, object, object)  # token, result, exception (or None)
    batch_loaded = Signal(object)  # LoadedBatch
    rows_changed = Signal(str, object)  # batch id, list[RowUpdate]
    progress = Signal(object)  # Progress
    report_ready = Signal(str, object)  # batch id, final report (dict)
    health = Signal(object)  # Health
    broker_error = Signal(str)  # plain message, no password
    broker_ok = Signal()

    def __init__(
        self,
        history: HistoryStore,
        *,
        interval: float = 0.3,
        health_every: float = 3.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = history
        self.interval = interval
        self.health_every = health_every
        self.client: BatchClient | None = None
        self.mode = "local"
        self.broker_label = ""
        self._executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="cbm-job")
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()
        self._celery_lock = threading.Lock()  # Celery's control/producer objects are shared by threads
        self._watch: _Watch | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._health_thread: threading.Thread | None = None
        self._health_wake = threading.Event()
        self._broker_down = False
        self.job_finished.connect(self._on_job_finished)

    # -- one-off jobs --------------------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run ``fn`` on a pool thread; ``on_done(result)`` or ``on_error(exc)`` then run on the GUI thread.

        Without ``on_error`` the exception goes to ``sys.excepthook`` (logged and shown, never lost).
        """
        token = next(self._tokens)
        self._callbacks[token] = (on_done, on_error)

        def job() -> None:
            try:
                result = fn()
            except BaseException as exc:
                self.job_finished.emit(token, None, exc)
            else:
                self.job_finished.emit(token, result, None)

        self._executor.submit(job)
        return token

    def _on_job_finished(self, token: int, result: Any, exc: BaseException | None) -> None:
        on_done, on_error = self._callbacks.pop(token, (None, None))
        if exc is not None:
            if on_error is not None:
                on_error(exc)
                return
            raise exc
        if on_done is not None:
            on_done(result)

    def celery(self, fn: Callable[[BatchClient], Any]) -> Callable[[], Any]:
        """Wrap a client call that talks to Celery's control channel so no two run at once."""

        def call() -> Any:
            client = self.require_client()
            with self._celery_lock:
                return fn(client)

        return call

    def require_client(self) -> BatchClient:
        if self.client is None:
            raise BrokerUnavailable("not connected to a broker yet")
        return self.client

    # -- connection ----------------------------------------------------------------------------------

    def set_client(self, client: BatchClient | None, mode: str, broker_label: str) -> None:
        old = self.client
        self.client = client
        self.mode = mode
        self.broker_label = broker_label
        self._health_wake.set()
        if old is not None and old is not client:
            old.close()
        self.start()
        self._wake.set()

    # -- watching a batch ----------------------------------------------------------------------------

    def watch(self, batch_id: str | None) -> None:
        """Follow ``batch_id`` (load it, then stream its changed rows); None stops following."""
        with self._lock:
            self._watch = _Watch(batch_id) if batch_id else None
        self._wake.set()

    @property
    def watched(self) -> str | None:
        w = self._watch
        return w.batch_id if w else None

    def poll_now(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="cbm-poller", daemon=True)
            self._thread.start()
        # Health on a thread of its own: a worker ping waits up to a second for replies, which would
        # otherwise hold back the batch refreshes.
        if self._health_thread is None or not self._health_thread.is_alive():
            self._health_thread = threading.Thread(target=self._health_loop, name="cbm-health", daemon=True)
            self._health_thread.start()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        self._health_wake.set()
        for thread in (self._thread, self._health_thread):
            if thread is not None:
                thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.client is not None:
            self.client.close()

    def _guarded(self, step: Callable[[], None], what: str) -> bool:
        """Run one step of a loop; an outage becomes broker_error (once recovered: broker_ok)."""
        try:
            step()
        except (redis.RedisError, BrokerUnavailable, OSError) as exc:
            self._broker_down = True
            message = (
                str(exc)
                if isinstance(exc, BrokerUnavailable)
                else f"broker {self.broker_label} unreachable: {type(exc).__name__}: {exc}"
            )
            self.broker_error.emit(message)
            return False
        except Exception:
            # A bug, not an outage: log it with its traceback and keep going.
            log.exception("%s failed", what)
            return False
        if self._broker_down:
            self._broker_down = False
            self.broker_ok.emit()
        return True

    def _loop(self) -> None:
        backoff = self.interval
        while not self._stop.is_set():
            ok = self._guarded(self._tick, "poller")
            backoff = self.interval if ok else min(backoff * 2, 5.0)
            self._wake.wait(backoff)
            self._wake.clear()

    def _health_loop(self) -> None:
        while not self._stop.is_set():
            client = self.client
            if client is not None:
                self._guarded(functools.partial(self._check_health, client), "health check")
            self._health_wake.wait(self.health_every)
            self._health_wake.clear()

    def _tick(self) -> None:
        client = self.client
        watch = self._watch
        if client is not None and watch is not None and not watch.final:
            self._poll(client, watch)

    def _check_health(self, client: BatchClient) -> None:
        try:
            client.ping()
        except BrokerUnavailable as exc:
            self.health.emit(Health(self.mode, self.broker_label, False, (), str(exc)))
            raise
        with self._celery_lock:
            workers = client.workers(timeout=1.0)
        if self.client is client:  # not replaced (settings changed) while the ping waited
            self.health.emit(Health(self.mode, self.broker_label, True, tuple(workers)))

    # -- the batch poll ------------------------------------------------------------------------------

    def _load(self, client: BatchClient, watch: _Watch) -> bool:
        found = client.batch(watch.batch_id)
        if found is None:
            # Expired from Redis (or another broker's batch): show what the history kept, if anything.
            report = self.history.report(watch.batch_id)
            rows = _rows_from_report(report) if report else []
            entry = self.history.get(watch.batch_id)
            watch.final = True
            state = "final" if report else "expired"
            if entry is not None and entry.state != state:
                self.history.update(watch.batch_id, state=state)
            self.batch_loaded.emit(
                LoadedBatch(
                    watch.batch_id,
                    entry.label if entry else "",
                    entry.created_ts if entry else 0.0,
                    state,
                    rows,
                    report,
                )
            )
            if report is not None:
                self.report_ready.emit(watch.batch_id, report)
            return False
        meta, state = found
        pacer = Pacer()
        entries = client.entries(watch.batch_id, pacer)
        rows = [
            TaskRow(
                e.name,
                e.task_id,
                e.source,
                state="",
                outcome=None if e.task_id else Outcome.REJECTED,
                error=e.error,
            )
            for e in entries
        ]
        for i, e in enumerate(entries):
            if e.task_id is not None:
                watch.ids.append(e.task_id)
                watch.row_of.append(i)
        snaps = client.snapshots(watch.batch_id, watch.ids, pacer)
        for k, s in enumerate(snaps):
            row = rows[watch.row_of[k]]
            row.state, row.outcome, row.error, row.attempts = s.state, s.outcome, s.error, s.attempts
            row.worker, row.started_at, row.runtime_s, row.result = (
                s.worker,
                s.started_at,
                s.runtime_s,
                s.result,
            )
        watch.reset([s.state for s in snaps], [s.outcome for s in snaps])
        watch.created_ts = meta.created_ts
        report, _ = _read_report(client, watch.batch_id, pacer) if state == "final" else (None, None)
        if report is not None:
            _apply_report(rows, report)
        # Launched elsewhere (CLI, another desktop): it enters this machine's history when first seen.
        self.history.record_start(
            batch_id=meta.batch_id,
            label=meta.label,
            created_at=meta.created_at,
            created_ts=meta.created_ts,
            broker=self.broker_label,
            total=meta.total,
            state=state,
        )
        watch.loaded = True
        self.batch_loaded.emit(LoadedBatch(meta.batch_id, meta.label, meta.created_ts, state, rows, report))
        return True

    def _poll(self, client: BatchClient, watch: _Watch) -> None:
        if not watch.loaded:
            # The first poll only loads: the GUI thread now fills the grid with every row, and a state
            # read right behind it would contend with that for the interpreter lock (measured: the
            # longest stall of a 10,000-contract batch). States follow one interval later.
            self._load(client, watch)
            return
        found = client.batch(watch.batch_id)
        state = found[1] if found else "expired"
        # Only the unfinished are read: a task in a ready state never changes again, and their result
        # values (analysis results, kilobytes each) are the bulk of what a full read would transfer
        # and parse while the GUI thread waits for the GIL.
        pending = watch.pending
        # The poller rests briefly every few milliseconds of work: the GUI thread takes the interpreter
        # lock back for every cell it paints, which a busy thread here would delay each time.
        pacer = Pacer()
        fresh = client.states([watch.ids[k] for k in pending], pacer) if pending else []
        changed = [k for k, new in zip(pending, fresh, strict=True) if new != watch.states[k]]
        updates: list[RowUpdate] = []
        if changed:
            snaps = client.snapshots(watch.batch_id, [watch.ids[k] for k in changed], pacer)
            for k, s in zip(changed, snaps, strict=True):
                watch.set(k, s.state, s.outcome)
                updates.append(
                    (
                        watch.row_of[k],
                        s.state,
                        s.outcome,
                        s.error,
                        s.attempts,
                        s.worker,
                        s.started_at,
                        s.runtime_s,
                        s.result,
                    )
                )
            watch.pending = [k for k in pending if watch.states[k] not in READY_STATES]
        report, report_json = (
            _read_report(client, watch.batch_id, pacer) if state in ("final", "expired") else (None, None)
        )
        if report is not None:
            updates += self._reconcile(watch, report, pacer)
        if updates and self._watch is watch:
            self.rows_changed.emit(watch.batch_id, updates)
        progress = watch.progress(state)
        if self._watch is watch:
            self.progress.emit(progress)
        # The history follows the batch's state at once and its counts every few seconds: a SQLite write
        # on every refresh was a good part of the poller's time during a big batch.
        seen = (state, tuple(sorted(progress.counts.items())))
        now = time.monotonic()
        state_changed = not watch.recorded or watch.recorded[0] != state
        if (
            report is not None
            or state_changed
            or (seen != watch.recorded and now - watch.recorded_at >= HISTORY_COUNTS_EVERY_S)
        ):
            watch.recorded, watch.recorded_at = seen, now
            # The report's JSON goes to the history as read: re-encoding megabytes would busy this thread.
            self.history.update(watch.batch_id, state=state, counts=progress.counts, report=report_json)
        if report is not None:
            watch.final = True
            if self._watch is watch:
                self.report_ready.emit(watch.batch_id, report)

    def _reconcile(self, watch: _Watch, report: dict[str, Any], pacer: Pacer) -> list[RowUpdate]:
        """The report's outcome is final: rows it settled without a Celery state change (lost, revoked
        before start) get it here."""
        index = {t: k for k, t in enumerate(watch.ids)}
        updates: list[RowUpdate] = []
        for c in report.get("contracts") or []:
            pacer()
            k = index.get(c.get("task_id") or "")
            if k is None or watch.outcomes[k] == c.get("outcome"):
                continue
            watch.set(k, watch.states[k], c.get("outcome"))
            updates.append(
                (
                    watch.row_of[k],
                    watch.states[k],
                    c.get("outcome"),
                    c.get("error"),
                    int(c.get("attempts") or 0),
                    c.get("worker"),
                    None,
                    c.get("runtime_s"),
                    c.get("result"),
                )
            )
        return updates


def _read_report(
    client: BatchClient, batch_id: str, pacer: Pacer
) -> tuple[dict[str, Any] | None, bytes | None]:
    raw = client.report_json(batch_id, pacer)
    if raw is None:
        return None, None
    # A big report is hundreds of thousands of new objects: parsed with the collector on, they set off
    # a full collection (measured ~30 ms with the lock held). They live as long as the batch is shown,
    # so they go straight to the permanent generation instead, as the app's startup objects do.
    collecting = gc.isenabled()
    gc.disable()
    try:
        report = json_yielding.loads(raw, pacer)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    return (report, raw) if isinstance(report, dict) else (None, None)


def _apply_report(rows: list[TaskRow], report: dict[str, Any]) -> None:
    by_id = {c.get("task_id"): c for c in report.get("contracts") or [] if c.get("task_id")}
    for row in rows:
        c = by_id.get(row.task_id)
        if c is not None:
            row.outcome, row.error = c.get("outcome"), c.get("error")
            row.attempts = int(c.get("attempts") or row.attempts)
            row.runtime_s = c.get("runtime_s") if c.get("runtime_s") is not None else row.runtime_s
            row.worker = c.get("worker") or row.worker
            row.result = c.get("result") if row.result is None else row.result


def _rows_from_report(report: dict[str, Any]) -> list[TaskRow]:
    rows = []
    for c in report.get("contracts") or []:
        rows.append(
            TaskRow(
                name=str(c.get("name")),
                task_id=c.get("task_id"),
                state="",
                outcome=c.get("outcome"),
                error=c.get("error"),
                attempts=int(c.get("attempts") or 0),
                worker=c.get("worker"),
                runtime_s=c.get("runtime_s"),
                result=c.get("result"),
            )
        )
    return rows
