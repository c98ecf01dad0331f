"""The local history of batches: one SQLite file in the user data dir, written as a batch starts and as
its state changes, so the desktop app (or the CLI) can list, reopen and reattach to past batches even
after Redis has expired them.

No Qt here: this is a core module. Every call opens its own short-lived connection, so the store can be
used from any thread (the desktop app writes from its polling thread and reads on the GUI thread).
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import json_yielding
from core.config import data_dir
from core.counts import BatchCounts
from core.outcome import Outcome

FILE_NAME = "history.sqlite3"
# Batch states as the ledger names them, plus "unknown" when the broker no longer has the batch.
FINAL_STATES = frozenset({"final", "expired"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id    TEXT PRIMARY KEY,
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_ts  REAL NOT NULL,
    broker      TEXT NOT NULL,
    total       INTEGER NOT NULL DEFAULT 0,
    counts      TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL,
    updated_ts  REAL NOT NULL,
    report      TEXT
);
CREATE INDEX IF NOT EXISTS batches_created ON batches (created_ts DESC);
"""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    batch_id: str
    label: str
    created_at: str  # ISO 8601 UTC, as the ledger has it
    created_ts: float
    broker: str  # masked URL, or "local"
    total: int
    counts: dict[str, int]
    state: str  # open | cancelled | closing | final | expired
    updated_ts: float
    has_report: bool

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def batch_counts(self) -> BatchCounts:
        """The counts every surface shows (``core.counts``). Records written before load rejections were
        counted lack them: what the stored counts miss of the batch's total was refused at load."""
        counts = BatchCounts.from_mapping(self.counts)
        missing = self.total - counts.total
        if missing <= 0:
            return counts
        outcomes = dict(counts.outcomes)
        outcomes[Outcome.REJECTED] = outcomes.get(Outcome.REJECTED, 0) + missing
        return BatchCounts(outcomes, counts.unfinished)


def default_path() -> Path:
    return data_dir() / FILE_NAME


class HistoryStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # timeout: two app instances (or the app and a CLI) may write at once; SQLite serialises them.
        with closing(sqlite3.connect(self.path, timeout=10.0)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:  # commits, or rolls back on an exception
                yield conn

    def record_start(
        self,
        *,
        batch_id: str,
        label: str,
        created_at: str,
        created_ts: float,
        broker: str,
        total: int,
        state: str = "open",
    ) -> None:
        """Insert a batch when it is launched (or first seen); an existing row keeps its counts."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO batches"
                " (batch_id, label, created_at, created_ts, broker, total, state, updated_ts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(batch_id) DO UPDATE SET label=excluded.label, broker=excluded.broker,"
                " total=excluded.total",
                (batch_id, label, created_at, created_ts, broker, total, state, time.time()),
            )

    def update(
        self,
        batch_id: str,
        *,
        state: str | None = None,
        counts: Mapping[str, int] | None = None,
        report: Mapping[str, Any] | bytes | None = None,
    ) -> bool:
        """Record a state change, the latest counts and (once) the final report (a dict, or its JSON
        bytes as read from Redis: kept as they are, nothing to encode); False if unknown."""
        sets: list[str] = ["updated_ts = ?"]
        values: list[Any] = [time.time()]
        if state is not None:
            sets.append("state = ?")
            values.append(state)
        if counts is not None:
            sets.append("counts = ?")
            values.append(json.dumps(dict(counts), sort_keys=True))
        if report is not None:
            sets.append("report = ?")
            values.append(report if isinstance(report, bytes) else _report_text(report))
        with self._connect() as conn:
            sql = f"UPDATE batches SET {', '.join(sets)} WHERE batch_id = ?"
            cur = conn.execute(sql, (*values, batch_id))
            return cur.rowcount > 0

    def get(self, batch_id: str) -> HistoryEntry | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT batch_id, label, created_at, created_ts, broker, total, counts, state, updated_ts,"
                " report IS NOT NULL FROM batches WHERE batch_id = ?",
                (batch_id,),
            ).fetchone()
        return _entry(row) if row else None

    def list(self, limit: int = 500) -> builtins.list[HistoryEntry]:
        """Newest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT batch_id, label, created_at, created_ts, broker, total, counts, state, updated_ts,"
                " report IS NOT NULL FROM batches ORDER BY created_ts DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_entry(r) for r in rows]

    def unfinished(self, broker: str | None = None) -> builtins.list[HistoryEntry]:
        """Batches not known to be final (newest first): what the app reattaches to on start."""
        return [e for e in self.list() if not e.finished and (broker is None or e.broker == broker)]

    def report(self, batch_id: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT report FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
        if not row or row[0] is None:
            return None
        try:
            value = json_yielding.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _report_text(report: Mapping[str, Any]) -> str:
    text = json_yielding.dumps(report)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A file name that was not UTF-8 (kept as surrogates, like os.fsdecode) cannot be stored as text:
        # JSON's \u escapes keep it, and read back to the same name.
        text = json.dumps(report, default=str, ensure_ascii=True)
    return text


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    try:
        counts = {str(k): int(v) for k, v in json.loads(row[6] or "{}").items()}
    except (ValueError, AttributeError, TypeError):
        counts = {}
    return HistoryEntry(
        batch_id=row[0],
        label=row[1],
        created_at=row[2],
        created_ts=float(row[3]),
        broker=row[4],
        total=int(row[5]),
        counts=counts,
        state=row[7],
        updated_ts=float(row[8]),
        has_report=bool(row[9]),
    )
