"""A batch's rows as a person follows them: one per ledger entry, with its Celery state and outcome, and
the category it shows under (queued, running, retrying, or its outcome). Qt-free: the desktop app's grid
model holds these; the watch (``core.engine.watch``) produces them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from core.outcome import Outcome

QUEUED, RUNNING, RETRYING = "queued", "running", "retrying"
UNFINISHED_CATEGORIES = frozenset({QUEUED, RUNNING, RETRYING})
# Where a contract is, in the words every surface shows (the grid, the CLI's status): what is still
# moving first, then the six outcomes of core.outcome. Celery's own states stay in the details.
CATEGORY_LABELS: dict[str, str] = {
    QUEUED: "Queued",
    RUNNING: "Running",
    RETRYING: "Retrying",
    Outcome.SUCCEEDED: "Succeeded",
    Outcome.REJECTED: "Rejected",
    Outcome.FAILED: "Failed",
    Outcome.TIMED_OUT: "Timed out",
    Outcome.REVOKED: "Revoked",
    Outcome.LOST: "Lost",
}
# A batch's state (``core.engine.ledger``) in words.
BATCH_STATE_LABELS: dict[str, str] = {
    "open": "Running",
    "closing": "Finishing",
    "cancelled": "Cancelled",
    "final": "Finished",
    "expired": "Expired from the broker",
}
# What "failed" means where a batch's progress says so: every outcome that needs a person's attention
# because the contract did not run to its end.
FAILED_OUTCOMES = frozenset({Outcome.FAILED, Outcome.TIMED_OUT, Outcome.REVOKED, Outcome.LOST})


def category_of(state: str | None, outcome: str | None) -> str:
    if outcome:
        return outcome
    if state == "STARTED":
        return RUNNING
    if state == "RETRY":
        return RETRYING
    return QUEUED


@dataclass(slots=True)
class TaskRow:
    name: str
    task_id: str | None
    source: str = ""
    state: str = "PENDING"
    outcome: str | None = None
    error: str | None = None
    attempts: int = 0
    worker: str | None = None
    started_at: float | None = None
    runtime_s: float | None = None
    result: Any = None
    seq: int = -1  # position in the batch's ledger (dispatch order), set by the grid model

    @property
    def search_text(self) -> str:
        return f"{self.name}\n{self.worker or ''}\n{self.error or ''}"

    @property
    def category(self) -> str:
        return category_of(self.state, self.outcome)


# Every row's category, by ledger position, and their counts.
Numbered = tuple[list[str], Counter[str]]


def number_rows(rows: list[TaskRow]) -> Numbered:
    """Give each row its ledger position and return every row's category and their counts: done where the
    rows are built (the poller's thread), since on the GUI thread it held a 100,000-row batch's opening for
    45 of its 70-80 ms."""
    categories: list[str] = []
    for i, row in enumerate(rows):
        row.seq = i
        categories.append(category_of(row.state, row.outcome))
    return categories, Counter(categories)


def positions(categories: list[str], category: str, count: int) -> set[int]:
    """The positions of the ``count`` rows of ``category``, found by C-level scans: a few running rows
    among 100,000 without a Python test of each."""
    found: set[int] = set()
    at = -1
    for _ in range(count):
        at = categories.index(category, at + 1)
        found.add(at)
    return found


# (row index, state, outcome, error, attempts, worker, started_at, runtime_s, result): what the watch
# reports for every row whose state changed since its last read. A plain tuple: cheap to queue across
# threads.
RowUpdate = tuple[int, str, str | None, str | None, int, str | None, float | None, float | None, Any]


def apply_report(rows: list[TaskRow], report: dict[str, Any]) -> None:
    """Give rows the outcome the final report settled (lost, revoked before start)."""
    by_id = {c.get("task_id"): c for c in report.get("contracts") or [] if c.get("task_id")}
    for row in rows:
        c = by_id.get(row.task_id)
        if c is not None:
            row.outcome, row.error = c.get("outcome"), c.get("error")
            row.attempts = int(c.get("attempts") or row.attempts)
            row.runtime_s = c.get("runtime_s") if c.get("runtime_s") is not None else row.runtime_s
            row.worker = c.get("worker") or row.worker
            row.result = c.get("result") if row.result is None else row.result


def rows_from_report(report: dict[str, Any]) -> list[TaskRow]:
    """The rows of a batch Redis no longer has, from the report the history kept."""
    return [
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
        for c in report.get("contracts") or []
    ]
