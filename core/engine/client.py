"""The engine's API for the CLI and the desktop app: launch a resilient chord, read it, cancel it.

Nothing here blocks on workers: everything reads or writes Redis, and the watchdog on the workers makes
sure the report arrives.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import redis
from celery import chord

from core.contracts.contract import Contract, LoadItem
from core.engine import ledger, report_store
from core.engine.app import CONTROL_QUEUE, app, configure_app
from core.engine.broker import BrokerUnavailable, check_reachable, mask, redis_client
from core.engine.final_report import utc_iso
from core.engine.ledger import BatchMeta, Entry
from core.engine.outage import StillDown, through_outage
from core.engine.settings import EngineSettings
from core.engine.task_states import READY_STATES, TaskSnapshot, read_snapshots, read_states
from core.printable import printable


class ReportTimeout(TimeoutError):
    pass


@dataclass(frozen=True, slots=True)
class Progress:
    total: int  # dispatched tasks
    finished: int
    states: dict[str, int]


@dataclass(frozen=True, slots=True)
class BatchStatus:
    meta: BatchMeta
    state: str
    entries: list[Entry]
    snapshots: dict[str, TaskSnapshot]
    report: dict[str, Any] | None

    @property
    def final(self) -> bool:
        return self.report is not None

    def to_json(self) -> dict[str, Any]:
        by_id = {c["task_id"]: c for c in self.report["contracts"] if c["task_id"]} if self.report else {}
        contracts = []
        for e in self.entries:
            snap = self.snapshots.get(e.task_id) if e.task_id else None
            row: dict[str, Any] = {"name": e.name, "task_id": e.task_id}
            if e.task_id is None:
                row.update(state=None, outcome="rejected", error=e.error, attempts=0, worker=None)
            else:
                assert snap is not None
                final_row = by_id.get(e.task_id)
                row.update(
                    state=snap.state,
                    outcome=final_row["outcome"] if final_row else snap.outcome,
                    error=final_row["error"] if final_row else snap.error,
                    attempts=snap.attempts,
                    worker=snap.worker,
                    runtime_s=snap.runtime_s,
                )
            contracts.append(row)
        return {
            "batch_id": self.meta.batch_id,
            "label": self.meta.label,
            "created_at": self.meta.created_at,
            "state": self.state,
            "final": self.final,
            "counts": self.report["counts"] if self.report else None,
            "contracts": contracts,
        }


class BatchClient:
    def __init__(self, broker_url: str, settings: EngineSettings | None = None) -> None:
        self.broker_url = broker_url
        self.settings = settings or EngineSettings.from_env()
        configure_app(broker_url, self.settings)
        self.app = app
        self.redis: redis.Redis = redis_client(broker_url)

    @property
    def display_url(self) -> str:
        return mask(self.broker_url)

    def ping(self) -> None:
        check_reachable(self.broker_url)

    def workers(self, timeout: float = 1.0) -> list[str]:
        """Names of the workers that answered a ping (Celery's control channel)."""
        replies = self.app.control.ping(timeout=timeout) or []
        return sorted(name for reply in replies for name in reply)

    def worker_processes(self, timeout: float = 1.0) -> dict[str, int]:
        """Each answering worker and how many contracts it runs at once (its pool's processes or
        threads): "1 worker, 2 processes" is what Settings' "local worker processes: 2" means."""
        stats = self.app.control.inspect(timeout=timeout).stats() or {}
        sizes: dict[str, int] = {}
        for name, info in stats.items():
            pool = info.get("pool") if isinstance(info, dict) else None
            size = pool.get("max-concurrency") if isinstance(pool, dict) else None
            sizes[str(name)] = size if isinstance(size, int) and size > 0 else 1
        return dict(sorted(sizes.items()))

    # -- launching -----------------------------------------------------------------------------------

    def launch(
        self,
        items: Sequence[LoadItem],
        *,
        label: str = "",
        soft_time_limit: float | None = None,
        time_limit: float | None = None,
        deadline: float | None = None,
        extra: dict[str, Any] | None = None,
        on_created: Callable[[BatchMeta], None] | None = None,
    ) -> BatchMeta:
        """Freeze the ledger, then dispatch one task per contract as a chord whose body is the report step.

        ``on_created`` hears of the batch as soon as its ledger exists, before the (long, for a big batch)
        dispatch: a person learns the batch id at once.
        """
        contracts = [i for i in items if isinstance(i, Contract)]
        if not contracts:
            raise ValueError("nothing to run: no contract could be loaded")
        limit = self.settings.max_batch_contracts
        if len(items) > limit:
            raise ValueError(f"{len(items):,} contracts in one batch; the limit is {limit:,} "
                             "(CONTRACT_BATCH_MAX_BATCH): run them as several batches")
        soft, hard = self._limits(soft_time_limit, time_limit)
        if deadline is not None and deadline <= 0:
            raise ValueError("--deadline must be a positive number of seconds")
        batch_id = uuid.uuid4().hex[:12]
        created = time.time()
        entries: list[Entry] = []
        index = 0
        for item in items:
            if isinstance(item, Contract):
                entries.append(Entry(item.name, ledger.task_id_for(batch_id, index), None, item.source))
                index += 1
            else:
                entries.append(Entry(item.name, None, item.reason, item.source))
        meta = BatchMeta(
            batch_id=batch_id,
            label=label,
            created_at=utc_iso(created),
            created_ts=created,
            total=len(entries),
            dispatched=len(contracts),
            soft_time_limit=soft,
            time_limit=hard,
            deadline_at=None if deadline is None else created + deadline,
            idle_timeout=self.settings.default_idle_timeout(hard),
            extra=dict(extra or {}),
        )
        through_outage(lambda: ledger.create_batch(self.redis, meta, entries), patience_s=60.0)
        if on_created is not None:
            on_created(meta)
        from core.engine.tasks import finalize, on_chord_error, process_contract

        # Large contracts are stored once and referenced (EngineSettings.content_inline_bytes).
        refs = [str(i) if len(c.data) > self.settings.content_inline_bytes else None
                for i, c in enumerate(contracts)]
        stored = [(ref, c.data) for ref, c in zip(refs, contracts, strict=True) if ref is not None]
        if stored:
            through_outage(lambda: ledger.store_contents(self.redis, batch_id, stored), patience_s=60.0)
        header = [
            process_contract.signature(
                (batch_id, contract.to_message(refs[i])),
                task_id=ledger.task_id_for(batch_id, i),
                soft_time_limit=soft,
                time_limit=hard,
                # What monitoring (Flower, events, logs) shows as the arguments: the contract's name,
                # never its content (Celery's default is a repr of the base64 document).
                argsrepr=f"({batch_id!r}, {printable(contract.name)!r})",
                kwargsrepr="{}",
            )
            for i, contract in enumerate(contracts)
        ]
        body = finalize.si(batch_id, "callback").set(task_id=f"{batch_id}-finalize", queue=CONTROL_QUEUE)
        body.link_error(on_chord_error.s())
        with self.app.backend.dispatching():
            chord(header, body).apply_async()
        return meta

    def _limits(self, soft: float | None, hard: float | None) -> tuple[float, float]:
        s = self.settings
        if soft is None and hard is None:
            soft, hard = s.soft_time_limit, s.time_limit
        elif hard is None:
            assert soft is not None
            hard = max(s.time_limit, soft + 5.0) if soft < s.time_limit else soft + 5.0
        elif soft is None:
            soft = min(s.soft_time_limit, hard * 0.8)
        if soft <= 0 or hard <= 0:
            raise ValueError("time limits must be positive")
        if soft >= hard:
            raise ValueError(f"the soft time limit ({soft} s) must be below the hard one ({hard} s)")
        ceiling = s.visibility_timeout - s.restore_interval
        if hard >= ceiling:
            # Past it, Redis would hand a still-running contract to a second worker.
            raise ValueError(
                f"the time limit ({hard:g} s) must stay below the broker's visibility timeout less its scan "
                f"interval ({ceiling:g} s); raise CONTRACT_BATCH_VISIBILITY_TIMEOUT on clients and workers"
            )
        return float(soft), float(hard)

    # -- reading -------------------------------------------------------------------------------------

    def batch(self, batch_id: str) -> tuple[BatchMeta, str] | None:
        return ledger.read_meta(self.redis, batch_id)

    def entries(self, batch_id: str, pacer: Callable[[], None] | None = None) -> list[Entry]:
        return ledger.read_entries(self.redis, batch_id, pacer)

    def recent_batches(self, limit: int = 200) -> list[BatchMeta]:
        metas = []
        for batch_id in ledger.recent_batches(self.redis, limit):
            found = ledger.read_meta(self.redis, batch_id)
            if found is not None:
                metas.append(found[0])
        return metas

    def states(self, task_ids: Sequence[str], pacer: Callable[[], None] | None = None) -> list[str]:
        return read_states(self.redis, task_ids, pacer)

    def snapshots(
        self, batch_id: str, task_ids: Sequence[str], pacer: Callable[[], None] | None = None
    ) -> list[TaskSnapshot]:
        return read_snapshots(self.redis, batch_id, task_ids, pacer)

    def progress(self, batch_id: str, task_ids: Sequence[str] | None = None) -> Progress:
        ids = (
            task_ids
            if task_ids is not None
            else [e.task_id for e in self.entries(batch_id) if e.task_id is not None]
        )
        states = self.states(ids)
        return Progress(len(ids), sum(1 for s in states if s in READY_STATES), dict(Counter(states)))

    def status(self, batch_id: str) -> BatchStatus | None:
        found = self.batch(batch_id)
        if found is None:
            return None
        meta, state = found
        entries = self.entries(batch_id)
        ids = [e.task_id for e in entries if e.task_id is not None]
        views = report_store.read_report_views(self.redis, batch_id)
        if views is None:
            snaps = {s.task_id: s for s in self.snapshots(batch_id, ids)}
            return BatchStatus(meta, state, entries, snaps, None)
        head, rows = views
        # Final: the report's rows say everything but the Celery state, which the status prefix of each
        # result gives (read_states); every result decoded again besides the report was 1.6 GB and 9 s
        # for 100,000 contracts.
        by_id = {row["task_id"]: row for row in rows if row.get("task_id")}
        snaps = {
            task_id: TaskSnapshot(task_id=task_id, state=state_now, outcome=row.get("outcome"),
                                  error=row.get("error"), attempts=int(row.get("attempts") or 0),
                                  worker=row.get("worker"), started_at=None, runtime_s=row.get("runtime_s"),
                                  result=None)
            for task_id, state_now in zip(ids, self.states(ids), strict=True)
            if (row := by_id.get(task_id)) is not None
        }
        return BatchStatus(meta, state, entries, snaps, {**head, "contracts": rows})

    def report_head(self, batch_id: str) -> dict[str, Any] | None:
        return report_store.read_report_head(self.redis, batch_id)

    def report(self, batch_id: str) -> dict[str, Any] | None:
        return report_store.read_report(self.redis, batch_id)

    def report_stream(
        self, batch_id: str
    ) -> tuple[dict[str, Any], Callable[[], Iterator[dict[str, Any]]]] | None:
        """The report's head and a way to go through its contracts a part at a time (what ``report``
        and ``export`` read: at 100,000 contracts the whole report parsed was about a gigabyte)."""
        return report_store.read_report_stream(self.redis, batch_id)

    def report_json(self, batch_id: str, pacer: Callable[[], None] | None = None) -> bytes | None:
        """The final report's JSON as stored (None until there is one)."""
        return report_store.read_report_json(self.redis, batch_id, pacer)

    def hooks(self, batch_id: str) -> list[dict[str, Any]] | None:
        return ledger.read_hooks(self.redis, batch_id)

    def wait_report(
        self,
        batch_id: str,
        timeout: float | None = None,
        poll: float = 0.25,
        on_progress: Callable[[Progress], None] | None = None,
        progress_every: float = 0.5,
        on_poll: Callable[[], None] | None = None,
        on_outage: Callable[[float, BaseException], None] | None = None,
    ) -> dict[str, Any]:
        """Poll for the report. ``on_progress`` gets bulk-read progress (it costs a read of every state);
        ``on_poll`` is called on every poll, for cheap checks of the caller's own. While Redis is
        unreachable the wait goes on (a restart is not the batch's end), telling ``on_outage``."""

        def patient(call: Callable[[], Any]) -> Any:
            left = None if end is None else max(0.0, end - time.monotonic())
            try:
                return through_outage(call, patience_s=left, on_wait=on_outage)
            except StillDown as exc:
                raise ReportTimeout(f"no report for batch {batch_id} within {timeout} s ({exc})") from exc

        end = None if timeout is None else time.monotonic() + timeout
        ids = [e.task_id for e in patient(lambda: self.entries(batch_id)) if e.task_id is not None]
        next_progress = 0.0
        while True:
            report: dict[str, Any] | None = patient(lambda: self.report(batch_id))
            if report is not None:
                return report
            if on_poll is not None:
                on_poll()
            now = time.monotonic()
            if on_progress is not None and now >= next_progress:
                on_progress(patient(lambda: self.progress(batch_id, ids)))
                next_progress = now + progress_every
            if end is not None and now >= end:
                raise ReportTimeout(f"no report for batch {batch_id} within {timeout} s")
            time.sleep(poll)

    # -- acting --------------------------------------------------------------------------------------

    def cancel(self, batch_id: str) -> int:
        """Revoke everything unfinished (running tasks are terminated); the report still arrives."""
        if self.batch(batch_id) is None:
            raise KeyError(batch_id)
        # Atomic: a batch being finalized at this moment is not relabelled as cancelled.
        if not ledger.transition(self.redis, batch_id, [ledger.STATE_OPEN], ledger.STATE_CANCELLED):
            return 0
        ids = [e.task_id for e in self.entries(batch_id) if e.task_id is not None]
        unfinished = [t for t, s in zip(ids, self.states(ids), strict=True) if s not in READY_STATES]
        if unfinished:
            self.revoke(batch_id, unfinished, terminate=True)
        return len(unfinished)

    def revoke(self, batch_id: str, task_ids: Sequence[str], terminate: bool = False) -> None:
        ids = list(task_ids)
        ledger.add_revoked(self.redis, batch_id, ids, self.settings.result_expires)
        self.app.control.revoke(ids, terminate=terminate)

    def close(self) -> None:
        self.redis.close()


def launch_in_subprocess(broker_url: str, items: Sequence[LoadItem], **options: Any) -> BatchMeta:
    """``BatchClient.launch`` in a short-lived process of its own.

    Dispatching thousands of tasks is seconds of CPU-bound Python (signatures, encoding, publishing): in
    the desktop app's process it held the interpreter lock against the GUI thread for most of a
    10,000-contract launch (profiled with py-spy), so the window stuttered while the batch started.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_launch_here, broker_url, list(items), options).result()


def _launch_here(broker_url: str, items: list[LoadItem], options: dict[str, Any]) -> BatchMeta:
    client = BatchClient(broker_url)
    try:
        return client.launch(items, **options)
    finally:
        client.close()


def connect(broker_url: str, settings: EngineSettings | None = None) -> BatchClient:
    """A client for a reachable broker, or BrokerUnavailable with a plain message."""
    check_reachable(broker_url)
    return BatchClient(broker_url, settings)


__all__ = [
    "BatchClient",
    "BatchStatus",
    "BrokerUnavailable",
    "Progress",
    "ReportTimeout",
    "connect",
    "launch_in_subprocess",
]
