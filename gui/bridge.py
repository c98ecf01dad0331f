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

import contextlib
import functools
import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from PySide6.QtCore import QObject, Signal

from core.engine.broker import BrokerUnavailable
from core.engine.watch import BatchWatch
from core.local.history import HistoryStore

if TYPE_CHECKING:
    # core.engine.client pulls in Celery (~0.6 s): imported by the connecting job, never on the window's path.
    from core.engine.client import BatchClient

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True)
class Health:
    mode: str  # "local" or "remote"
    broker: str  # masked URL
    reachable: bool
    workers: tuple[str, ...]
    message: str = ""
    processes: int = 0  # the workers' pool sizes added up: contracts that can run at once


class Bridge(QObject):
    job_finished = Signal(int, object, object)  # token, result, exception (or None)
    batch_loaded = Signal(object)  # core.engine.watch.LoadedBatch
    rows_changed = Signal(str, object)  # batch id, list[RowUpdate]
    progress = Signal(object)  # BatchProgress
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
            int, tuple[Callable[[Any], object] | None, Callable[[BaseException], None] | None]
        ] = {}
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()
        self._celery_lock = threading.Lock()  # Celery's control/producer objects are shared by threads
        self._watch: BatchWatch | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._health_thread: threading.Thread | None = None
        self._health_wake = threading.Event()
        self._broker_down = False
        # Clear while the window does work that calls into Python many times (``gui_busy``).
        self.gui_idle = threading.Event()
        self.gui_idle.set()
        self.job_finished.connect(self._on_job_finished)

    @contextlib.contextmanager
    def gui_busy(self) -> Iterator[None]:
        """Around the window's work that calls into Python once per row or cell (a repaint of the grid, a
        filter, a poll's rows): the poller waits meanwhile (``json_yielding.Pacer``) instead of taking
        the interpreter lock back between calls, each of which then waited up to a switch interval."""
        self.gui_idle.clear()
        try:
            yield
        finally:
            self.gui_idle.set()

    # -- one-off jobs --------------------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], object] | None = None,
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
            self._watch = BatchWatch(batch_id, idle=self.gui_idle) if batch_id else None
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
            pools = client.worker_processes(timeout=1.0)
        if self.client is client:  # not replaced (settings changed) while the ping waited
            self.health.emit(Health(self.mode, self.broker_label, True, tuple(pools), "",
                                    sum(pools.values())))

    # -- the batch poll ------------------------------------------------------------------------------

    def _poll(self, client: BatchClient, watch: BatchWatch) -> None:
        if not watch.loaded:
            # The first poll only loads: the GUI thread now fills the grid with every row, and a state
            # read right behind it would contend with that for the interpreter lock (measured: the
            # longest stall of a 10,000-contract batch). States follow one interval later.
            loaded = watch.load(client, self.history, self.broker_label)
            self.batch_loaded.emit(loaded)
            if loaded.report is not None and watch.final:
                self.report_ready.emit(watch.batch_id, loaded.report)
            return
        poll = watch.poll(client, self.history)
        if self._watch is not watch:
            return  # another batch was opened meanwhile
        if poll.updates:
            self.rows_changed.emit(watch.batch_id, poll.updates)
        self.progress.emit(poll.progress)
        if poll.report is not None:
            self.report_ready.emit(watch.batch_id, poll.report)
