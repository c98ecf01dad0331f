"""The history keeps a final report in compressed parts (head in ``batches.report``, contracts in
``report_parts``): read back whole, a part at a time, or one contract, and records written before the
parts (one whole JSON value) still read (docs/performance.md, "Scale")."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.engine.report_store import ReportGone
from core.local.history import PART_SIZE, HistoryStore
from core.reporting.sample import synthetic_report


def _store(tmp_path: Path, batch_id: str) -> HistoryStore:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.record_start(batch_id=batch_id, label="x", created_at="2026-01-01T00:00:00+00:00", created_ts=1.0,
                       broker="test", total=0)
    return store


def _parts(contracts: list[dict], size: int = PART_SIZE) -> Iterator[bytes]:
    for start in range(0, len(contracts), size):
        yield json.dumps(contracts[start : start + size]).encode()


def test_a_report_kept_in_parts_reads_back_whole_streamed_and_one_contract(tmp_path: Path) -> None:
    report = synthetic_report(PART_SIZE * 2 + 7, seed=4)
    bid = report["batch_id"]
    store = _store(tmp_path, bid)
    head = {k: v for k, v in report.items() if k != "contracts"}
    assert store.store_report(bid, head, _parts(report["contracts"]))

    assert store.report(bid) == report
    stream = store.report_stream(bid)
    assert stream is not None
    assert stream[0] == head and store.report_head(bid) == head
    assert list(stream[1]()) == report["contracts"] == list(stream[1]())  # as often as needed
    rests: list[int] = []
    paced = store.report_stream(bid, lambda: rests.append(1))
    assert paced is not None and list(paced[1]()) == report["contracts"] and len(rests) > PART_SIZE * 2
    for index in (0, PART_SIZE - 1, PART_SIZE, PART_SIZE * 2 + 6):
        assert store.contract(bid, index) == report["contracts"][index]
    assert store.contract(bid, PART_SIZE * 2 + 7) is None and store.contract(bid, -1) is None
    entry = store.get(bid)
    assert entry is not None and entry.has_report

    with sqlite3.connect(store.path) as conn:
        kept_head = conn.execute("SELECT report FROM batches WHERE batch_id = ?", (bid,)).fetchone()[0]
        parts = conn.execute("SELECT COUNT(*), SUM(LENGTH(contracts)) FROM report_parts").fetchone()
    assert json.loads(kept_head) == head  # the head alone, not the contracts
    assert parts[0] == 3
    assert parts[1] < len(json.dumps(report["contracts"])) / 3  # compressed


def test_a_dict_given_to_update_is_kept_in_parts_and_replaces_the_previous_report(tmp_path: Path) -> None:
    report = synthetic_report(PART_SIZE + 1, seed=5)
    bid = report["batch_id"]
    store = _store(tmp_path, bid)
    assert store.update(bid, state="final", report=report)
    assert store.report(bid) == report
    smaller = {**report, "contracts": report["contracts"][:3]}
    assert store.update(bid, report=smaller)
    assert store.report(bid) == smaller
    empty = {**report, "contracts": []}
    assert store.update(bid, report=empty)
    assert store.report(bid) == empty
    stream = store.report_stream(bid)
    assert stream is not None and list(stream[1]()) == []


def test_a_record_written_before_the_parts_is_still_read(tmp_path: Path) -> None:
    report = synthetic_report(30, seed=6)
    bid = report["batch_id"]
    store = _store(tmp_path, bid)
    store.update(bid, state="final", report=json.dumps(report).encode())  # as the watch kept it before
    assert store.report(bid) == report
    stream = store.report_stream(bid)
    assert stream is not None
    assert stream[0] == {k: v for k, v in report.items() if k != "contracts"}
    assert list(stream[1]()) == report["contracts"]
    assert store.contract(bid, 29) == report["contracts"][29]


def test_a_report_that_expires_while_copied_leaves_nothing_half_kept(tmp_path: Path) -> None:
    report = synthetic_report(PART_SIZE * 2, seed=8)
    bid = report["batch_id"]
    store = _store(tmp_path, bid)

    def cut() -> Iterator[bytes]:
        yield from list(_parts(report["contracts"]))[:1]
        raise ReportGone("expired midway")

    with pytest.raises(ReportGone):
        store.store_report(bid, {"batch_id": bid}, cut())
    assert store.report(bid) is None
    entry = store.get(bid)
    assert entry is not None and not entry.has_report
    assert not store.store_report("unknown", {"batch_id": "unknown"}, _parts(report["contracts"]))
