"""Following one batch as it runs: what the desktop app's poller does, as a Qt-free class that tests drive
without a QApplication.

``load`` reads the frozen ledger and every task's snapshot once; each ``poll`` reads only the unfinished
tasks' states in bulk, the full snapshot only of the rows whose state changed, and the report once final:
a part at a time (``core.engine.report_store``), reconciling the rows with it and copying it into the
history as it goes, so that neither this thread nor the window ever holds the whole report (at 100,000
contracts it was a 238 MB string parsed into about a gigabyte of objects). The window gets the report's
head; whoever needs the contracts reads them again a part at a time (``open_report``).
Counts are kept row by row rather than recounted over every task on each poll. Long stretches of work rest
now and then (``Pacer``), and wait while the window paints or filters (``idle``), so a GUI thread beside
this one keeps the interpreter lock when it paints.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import ne
from typing import TYPE_CHECKING, Any, Protocol

import redis

from core import json_yielding
from core.counts import BatchCounts
from core.engine import report_store
from core.engine.rows import Numbered, RowUpdate, TaskRow, number_rows, rows_from_report
from core.engine.task_states import READY_STATES
from core.json_yielding import Pacer, pack
from core.memory import collector_paused
from core.outcome import Outcome

if TYPE_CHECKING:
    from core.engine.client import BatchClient

HISTORY_COUNTS_EVERY_S = 2.0
SNAPSHOT_CHUNK = 1000  # tasks' snapshots (or kept contracts) turned into rows at a time
# A report as its readers go through it: the head (the report without its contracts) and a way to iterate
# over the contracts, results included, a part at a time (as often as needed).
ReportStream = tuple[dict[str, Any], Callable[[], Iterator[dict[str, Any]]]]


class KeptEntry(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def created_ts(self) -> float: ...
    @property
    def state(self) -> str: ...


class HistoryStore(Protocol):
    """Where the batches seen on this machine are kept (``core.local.history.HistoryStore``): the engine
    writes to it without depending on local mode."""

    def record_start(self, *, batch_id: str, label: str, created_at: str, created_ts: float, broker: str,
                     total: int, state: str = "open") -> None: ...

    def update(self, batch_id: str, *, state: str | None = None, counts: Mapping[str, int] | None = None,
               report: Mapping[str, Any] | bytes | None = None) -> bool: ...

    def get(self, batch_id: str) -> KeptEntry | None: ...

    def store_report(self, batch_id: str, head: Mapping[str, Any], parts: Iterable[bytes]) -> bool: ...

    def report_stream(
        self, batch_id: str, pacer: Callable[[], None] | None = None
    ) -> ReportStream | None: ...


@dataclass(frozen=True, slots=True)
class BatchProgress:
    batch_id: str
    state: str  # open | cancelled | closing | final | expired
    counts: BatchCounts  # every contract of the batch, load rejections included (``core.counts``)
    created_ts: float
    not_sent: int = 0  # of which rejected while loading (done from the start: not in an ETA)


@dataclass(frozen=True, slots=True)
class LoadedBatch:
    """A batch as the grid first shows it (on launch, on reopen, on reattach)."""

    batch_id: str
    label: str
    created_ts: float
    state: str
    rows: list[TaskRow]
    report: dict[str, Any] | None  # the report's head, only for a batch Redis no longer has (see poll)
    # Each row's category and their counts, worked out here rather than on the GUI thread
    # (``core.engine.rows.number_rows``, which also numbered the rows).
    numbered: Numbered


@dataclass(frozen=True, slots=True)
class Poll:
    updates: list[RowUpdate]
    progress: BatchProgress
    # Set once, when the batch is found final: the report's head (no contracts); its contracts are in the
    # history by then, and in Redis until it expires (``open_report``).
    report: dict[str, Any] | None


@dataclass
class BatchWatch:
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
    pending: list[int] = field(default_factory=list)  # tasks not yet in a ready state
    load_rejected: int = 0  # contracts the launch could not load: rejected from the start, never sent
    tally: Counter[str | None] = field(default_factory=Counter)  # dispatched tasks: outcome or None -> n
    # Set while the GUI thread is idle (``json_yielding.Pacer``): the desktop app's poller waits for it.
    idle: threading.Event | None = field(default=None, compare=False, repr=False)

    # -- counts, kept row by row ---------------------------------------------------------------------

    def reset(self, states: list[str], outcomes: list[str | None]) -> None:
        self.states, self.outcomes = states, outcomes
        self.pending = [k for k, s in enumerate(states) if s not in READY_STATES]
        self.tally = Counter(outcomes)

    def set(self, k: int, state: str, outcome: str | None) -> None:
        self.tally[self.outcomes[k]] -= 1
        self.tally[outcome] += 1
        self.states[k], self.outcomes[k] = state, outcome

    def counts(self) -> BatchCounts:
        """The batch's counts as every surface shows them: the load rejections count as rejected."""
        tally = {o: n for o, n in self.tally.items() if o is not None}
        tally[Outcome.REJECTED] = tally.get(Outcome.REJECTED, 0) + self.load_rejected
        return BatchCounts.from_mapping({**tally, "unfinished": self.tally.get(None, 0)})

    def progress(self, state: str) -> BatchProgress:
        return BatchProgress(self.batch_id, state, self.counts(), self.created_ts, self.load_rejected)

    # -- reading --------------------------------------------------------------------------------------

    def load(self, client: BatchClient, history: HistoryStore, broker_label: str) -> LoadedBatch:
        """The batch's rows as they are now (from the history when Redis no longer has it)."""
        found = client.batch(self.batch_id)
        if found is None:
            return self._load_expired(history)
        meta, state = found
        pacer = Pacer(idle=self.idle)
        # The rows live as long as the batch is shown: built with the collector off and then out of its
        # reach (a full collection while 100,000 rows were built held the lock for 216 ms).
        with collector_paused(keep=True):
            rows, states, outcomes = self._rows(client, pacer)
        self.reset(states, outcomes)
        self.created_ts = meta.created_ts
        # A batch already final gets its report from the first poll, one interval later (reconciled with
        # the rows and kept in the history as any final batch's): reading it here as well was a second
        # read of the whole report.

        # The one place a batch enters this machine's history: launched here, by the CLI or elsewhere.
        history.record_start(batch_id=meta.batch_id, label=meta.label, created_at=meta.created_at,
                             created_ts=meta.created_ts, broker=broker_label, total=meta.total, state=state)
        self.loaded = True
        return LoadedBatch(meta.batch_id, meta.label, meta.created_ts, state, rows, None, number_rows(rows))

    def _rows(self, client: BatchClient, pacer: Pacer) -> tuple[list[TaskRow], list[str], list[str | None]]:
        entries = client.entries(self.batch_id, pacer)
        rows = [
            TaskRow(e.name, e.task_id, e.source, state="",
                    outcome=None if e.task_id else Outcome.REJECTED, error=e.error)
            for e in entries
        ]
        for i, e in enumerate(entries):
            if e.task_id is not None:
                self.ids.append(e.task_id)
                self.row_of.append(i)
        self.load_rejected = len(entries) - len(self.ids)
        states: list[str] = []
        outcomes: list[str | None] = []
        # A thousand snapshots at a time, their results packed as they come (``json_yielding.pack``):
        # every result parsed at once was a peak of about 550 MB at 100,000 contracts.
        for start in range(0, len(self.ids), SNAPSHOT_CHUNK):
            snaps = client.snapshots(self.batch_id, self.ids[start : start + SNAPSHOT_CHUNK], pacer)
            for k, s in enumerate(snaps, start):
                row = rows[self.row_of[k]]
                row.state, row.outcome, row.error, row.attempts = s.state, s.outcome, s.error, s.attempts
                row.worker, row.started_at, row.runtime_s, row.result = (
                    s.worker, s.started_at, s.runtime_s, pack(s.result))
                states.append(s.state)
                outcomes.append(s.outcome)
        return rows, states, outcomes

    def _load_expired(self, history: HistoryStore) -> LoadedBatch:
        # Expired from Redis (or another broker's batch): show what the history kept, if anything.
        stream = history.report_stream(self.batch_id, json_yielding.part_pacer())
        entry = history.get(self.batch_id)
        self.final = True
        state = "final" if stream else "expired"
        if entry is not None and entry.state != state:
            history.update(self.batch_id, state=state)
        head: dict[str, Any] | None = None
        rows: list[TaskRow] = []
        if stream is not None:
            head, contracts = stream
            # A part at a time, the results packed as a live batch's are (the detail pane shows them).
            every = contracts()
            while part := list(itertools.islice(every, SNAPSHOT_CHUNK)):
                for row in rows_from_report({"contracts": part}):
                    row.result = pack(row.result)
                    rows.append(row)
        return LoadedBatch(self.batch_id, entry.label if entry else "", entry.created_ts if entry else 0.0,
                           state, rows, head, number_rows(rows))

    def poll(self, client: BatchClient, history: HistoryStore, *, with_report: bool = True) -> Poll:
        """What changed since the last poll (only the unfinished are read: a task in a ready state never
        changes again, and their results are the bulk of what a full read would transfer).
        ``with_report=False``: the caller reads the final report itself (the CLI's ``run --wait``)."""
        found = client.batch(self.batch_id)
        state = found[1] if found else "expired"
        pacer = Pacer(idle=self.idle)
        pending = self.pending
        # Over every unfinished task (100,000 at the start of a big batch): built in C, as a Python loop
        # each of these was milliseconds of the interpreter lock taken from the window.
        fresh = client.states(list(map(self.ids.__getitem__, pending)), pacer) if pending else []
        changed = list(itertools.compress(pending, map(ne, fresh, map(self.states.__getitem__, pending))))
        updates: list[RowUpdate] = []
        if changed:
            snaps = client.snapshots(self.batch_id, [self.ids[k] for k in changed], pacer)
            for k, s in zip(changed, snaps, strict=True):
                pacer()  # packing a few hundred results is tens of milliseconds
                self.set(k, s.state, s.outcome)
                updates.append((self.row_of[k], s.state, s.outcome, s.error, s.attempts, s.worker,
                                s.started_at, s.runtime_s, pack(s.result)))
            ready = {k for k in changed if self.states[k] in READY_STATES}
            self.pending = list(itertools.filterfalse(ready.__contains__, pending))
        head: dict[str, Any] | None = None
        if with_report and state in ("final", "expired"):
            head, reconciled = self._take_report(client, history, pacer)
            updates += reconciled
        progress = self.progress(state)
        self._record(history, state, progress, head is not None)
        if head is not None:
            self.final = True
        return Poll(updates, progress, head)

    def _record(self, history: HistoryStore, state: str, progress: BatchProgress, final: bool) -> None:
        # The history follows the batch's state at once and its counts every few seconds: a SQLite write
        # on every refresh was a good part of the poller's time during a big batch.
        stored = progress.counts.as_mapping()
        seen = (state, tuple(sorted(stored.items())))
        now = time.monotonic()
        state_changed = not self.recorded or self.recorded[0] != state
        if final or state_changed or (
            seen != self.recorded and now - self.recorded_at >= HISTORY_COUNTS_EVERY_S
        ):
            self.recorded, self.recorded_at = seen, now
            history.update(self.batch_id, state=state, counts=stored)

    def _take_report(
        self, client: BatchClient, history: HistoryStore, pacer: Pacer
    ) -> tuple[dict[str, Any] | None, list[RowUpdate]]:
        """The final report's head (None while there is none), once its parts are reconciled with the rows
        and copied into the history, one part at a time: each part's JSON goes to the history as read
        (re-encoding megabytes would busy this thread) and is parsed only for the outcomes."""
        stored = report_store.read_report_parts(client.redis, self.batch_id, pacer)
        if stored is None:
            return None, []
        head, parts = stored
        index = {t: k for k, t in enumerate(self.ids)}
        updates: list[RowUpdate] = []

        def reconciled() -> Iterator[bytes]:
            parsing = json_yielding.part_pacer(self.idle)
            for part in parts:
                contracts = json_yielding.parse(part, parsing)
                updates.extend(self._reconcile(contracts, index, pacer))
                yield part

        copy = reconciled()
        # Each part parsed is garbage once reconciled (freed by reference counting): full collections
        # among them walked the whole process, 18-31 ms at a time (100,000 contracts, --why).
        with collector_paused(keep=False):
            try:
                history.store_report(self.batch_id, head, copy)
                for _ in copy:  # a batch the history does not know: the rows are reconciled all the same
                    pass
            except report_store.ReportGone:
                return None, updates  # expired while read: the history keeps nothing of it (rolled back)
        return head, updates

    def _reconcile(self, contracts: list[dict[str, Any]], index: Mapping[str, int],
                   pacer: Pacer) -> list[RowUpdate]:
        """The report's outcome is final: rows it settled without a Celery state change (lost, revoked
        before start) get it here."""
        updates: list[RowUpdate] = []
        for c in contracts:
            pacer()
            k = index.get(c.get("task_id") or "")
            if k is None or self.outcomes[k] == c.get("outcome"):
                continue
            self.set(k, self.states[k], c.get("outcome"))
            updates.append((self.row_of[k], self.states[k], c.get("outcome"), c.get("error"),
                            int(c.get("attempts") or 0), c.get("worker"), None, c.get("runtime_s"),
                            pack(c.get("result"))))
        return updates


def open_report(client: BatchClient | None, history: HistoryStore, batch_id: str) -> ReportStream | None:
    """A final report to go through a part at a time: from Redis while it has it, else from the copy
    this machine's history kept (the poller writes it before the window hears the batch is final). Read
    by the desktop app's jobs, beside the GUI thread: each part is parsed paced (``part_pacer``)."""
    pacer = json_yielding.part_pacer()
    if client is not None:
        try:
            stream = report_store.read_report_stream(client.redis, batch_id, pacer)
        except redis.RedisError:
            stream = None  # the broker is away: the history's copy is the same report
        if stream is not None:
            return stream
    return history.report_stream(batch_id, pacer)
