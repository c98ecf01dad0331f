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
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
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
CREATE TABLE IF NOT EXISTS report_parts (
    batch_id    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    contracts   BLOB NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
"""
# A report is kept as Redis keeps it (core.engine.report_store): the head (everything but the contracts)
# in ``batches.report``, the contracts with their results in ``report_parts``, PART_SIZE per row, each a
# zlib-compressed JSON array. One 100,000-contract report was one 238 MB text value, written and read back
# whole (the desktop app parsed all of it, about a gigabyte); a part is about 1.2 MB of JSON, a tenth of
# that compressed. Records written before hold the whole report in ``batches.report`` and are still read.
PART_SIZE = 500
_COMPRESSION = 1  # zlib's fastest: results are repetitive JSON, and the poller thread writes the parts


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
        """Record a state change, the latest counts and (once) the final report; False if unknown.

        A report given as a dict is kept in parts (``store_report``); as JSON bytes it is kept whole, as
        records were before the parts (what tests of such records write)."""
        sets: list[str] = ["updated_ts = ?"]
        values: list[Any] = [time.time()]
        if state is not None:
            sets.append("state = ?")
            values.append(state)
        if counts is not None:
            sets.append("counts = ?")
            values.append(json.dumps(dict(counts), sort_keys=True))
        given_whole = isinstance(report, bytes) or (report is not None and "contracts" not in report)
        whole = report if given_whole else None
        if whole is not None:  # no contracts to split: kept as one value
            sets.append("report = ?")
            values.append(whole if isinstance(whole, bytes) else _json_bytes(dict(whole)).decode("ascii"))
        with self._connect() as conn:
            sql = f"UPDATE batches SET {', '.join(sets)} WHERE batch_id = ?"
            cur = conn.execute(sql, (*values, batch_id))
            known = cur.rowcount > 0
            if whole is not None:
                conn.execute("DELETE FROM report_parts WHERE batch_id = ?", (batch_id,))
        if known and report is not None and not isinstance(report, bytes) and whole is None:
            contracts = list(report.get("contracts") or [])
            head = {k: v for k, v in report.items() if k != "contracts"}
            parts = (_json_bytes(contracts[i : i + PART_SIZE]) for i in range(0, len(contracts), PART_SIZE))
            self.store_report(batch_id, head, parts)
        return known

    def store_report(self, batch_id: str, head: Mapping[str, Any], parts: Iterable[bytes]) -> bool:
        """Keep a final report given as its head and its parts (JSON arrays of contracts, in order, as
        ``core.engine.report_store.read_report_parts`` reads them from Redis): one part is held at a time,
        and the parts are written in one transaction with the head, so a reader sees all or none of them.
        False if the batch is unknown (nothing is written)."""
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM batches WHERE batch_id = ?", (batch_id,)).fetchone() is None:
                return False
            conn.execute("DELETE FROM report_parts WHERE batch_id = ?", (batch_id,))
            written = 0
            for part in parts:
                # zlib releases the interpreter lock while it compresses: the GUI thread keeps painting.
                conn.execute("INSERT INTO report_parts (batch_id, seq, contracts) VALUES (?, ?, ?)",
                             (batch_id, written, zlib.compress(part, _COMPRESSION)))
                written += 1
            # A report of no contracts has no parts: its head says so itself (a record without parts is
            # read as one whole report, as records were before the parts).
            kept = dict(head) if written else {**head, "contracts": []}
            conn.execute("UPDATE batches SET report = ?, updated_ts = ? WHERE batch_id = ?",
                         (_json_bytes(kept).decode("ascii"), time.time(), batch_id))
        return True

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
        """The whole report (every contract with its result): for small batches and tests; the desktop
        app reads ``report_stream`` instead."""
        kept = self._kept(batch_id)
        if kept is None:
            return None
        head, parts = kept
        if not parts:
            return head  # kept whole (or of no contracts): as it was given
        return {**head, "contracts": [c for seq in range(parts) for c in self._part(batch_id, seq)]}

    def report_head(self, batch_id: str) -> dict[str, Any] | None:
        """The report without its contracts (counts, times, label), or None if none is kept."""
        stream = self.report_stream(batch_id)
        return None if stream is None else stream[0]

    def report_stream(
        self, batch_id: str, pacer: Callable[[], None] | None = None
    ) -> tuple[dict[str, Any], Callable[[], Iterator[dict[str, Any]]]] | None:
        """The head and a way to go through the contracts a part at a time, as often as the caller
        needs (as ``core.engine.report_store.read_report_stream`` does with Redis, and paced as it is
        given a ``pacer``), or None."""
        kept = self._kept(batch_id)
        if kept is None:
            return None
        head, parts = kept
        whole = head.pop("contracts", None)
        if not parts:  # a record written before the parts (or a report of no contracts)
            listed: builtins.list[dict[str, Any]] = whole if isinstance(whole, list) else []
            return head, lambda: iter(listed)

        def contracts() -> Iterator[dict[str, Any]]:
            for seq in range(parts):
                yield from self._part(batch_id, seq, pacer)

        return head, contracts

    def _kept(self, batch_id: str) -> tuple[dict[str, Any], int] | None:
        """The kept report's ``batches.report`` value parsed (the head, or the whole report of a record
        written before the parts) and how many parts it has."""
        with self._connect() as conn:
            row = conn.execute("SELECT report FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
            parts = conn.execute("SELECT COUNT(*) FROM report_parts WHERE batch_id = ?",
                                 (batch_id,)).fetchone()[0]
        if not row or row[0] is None:
            return None
        try:
            value = json_yielding.loads(row[0])
        except ValueError:
            return None
        return (value, int(parts)) if isinstance(value, dict) else None

    def contract(self, batch_id: str, index: int) -> dict[str, Any] | None:
        """One contract of the kept report by its position, result included: one part read."""
        if index < 0:
            return None
        with self._connect() as conn:
            parts = conn.execute("SELECT COUNT(*) FROM report_parts WHERE batch_id = ?",
                                 (batch_id,)).fetchone()[0]
        if not parts:
            report = self.report(batch_id)
            contracts = (report or {}).get("contracts") or []
            return contracts[index] if index < len(contracts) else None
        rows = self._part(batch_id, index // PART_SIZE)
        return rows[index % PART_SIZE] if index % PART_SIZE < len(rows) else None

    def _part(
        self, batch_id: str, seq: int, pacer: Callable[[], None] | None = None
    ) -> builtins.list[dict[str, Any]]:
        with self._connect() as conn:
            row = conn.execute("SELECT contracts FROM report_parts WHERE batch_id = ? AND seq = ?",
                               (batch_id, seq)).fetchone()
        if row is None:
            return []
        rows = json_yielding.parse(zlib.decompress(row[0]), pacer)
        return rows if isinstance(rows, list) else []


def _json_bytes(value: Any) -> bytes:
    # ASCII JSON: a file name that was not UTF-8 (kept as surrogates, like os.fsdecode) is kept by JSON's
    # \u escapes and reads back to the same name.
    return json.dumps(value, default=str).encode("ascii")


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
