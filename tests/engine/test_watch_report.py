"""The poller takes a final report stored in parts a part at a time: the rows are reconciled with it, the
history keeps a copy in parts, and the window is handed the head only (docs/performance.md, "Scale")."""

from __future__ import annotations

import gc
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import redis

from core import json_yielding
from core.engine import ledger, report_store
from core.engine.client import BatchClient
from core.engine.watch import BatchWatch, open_report
from core.json_yielding import pack, unpack
from core.local.history import HistoryStore
from tests.reporting.conftest import small_report
from tests.reporting.test_streamed_report import store_in_parts


def test_read_report_parts_and_one_contract(redis_url: str) -> None:
    report = small_report(report_store.PART + 3)
    r = redis.Redis.from_url(redis_url)
    bid = store_in_parts(r, report)
    stored = report_store.read_report_parts(r, bid)
    assert stored is not None
    head, parts = stored
    assert head == report_store.report_views(report)[0]
    assert [c for part in parts for c in json.loads(part)] == report["contracts"]
    assert report_store.read_contract(r, bid, report_store.PART + 2) == report["contracts"][-1]
    assert report_store.read_contract(r, bid, 0) == report["contracts"][0]
    assert report_store.read_contract(r, bid, report_store.PART + 3) is None
    assert report_store.read_contract(r, "nope", 0) is None
    # A report stored the old way (one value) is handed out in parts all the same.
    r.set(ledger.batch_key("old", report_store.OLD), json.dumps(report))
    old = report_store.read_report_parts(r, "old")
    assert old is not None and [len(json.loads(p)) for p in old[1]] == [report_store.PART, 3]
    assert report_store.read_contract(r, "old", 7) == report["contracts"][7]
    r.close()


def test_the_poller_reconciles_keeps_in_parts_and_hands_over_the_head(redis_url: str, tmp_path: Path) -> None:
    report = small_report(report_store.PART * 2 + 5)
    r = redis.Redis.from_url(redis_url)
    bid = store_in_parts(r, report)  # open: the report is there, the batch not yet final
    client = BatchClient(redis_url)
    history = HistoryStore(tmp_path / "h.sqlite3")
    try:
        watch = BatchWatch(bid)
        loaded = watch.load(client, history, "test")
        assert loaded.report is None and len(loaded.rows) == len(report["contracts"])
        assert watch.poll(client, history).report is None  # not final yet: the report is not read
        r.hset(ledger.batch_key(bid), "state", ledger.STATE_FINAL)
        poll = watch.poll(client, history)
        head = report_store.report_views(report)[0]
        assert poll.report == head and "contracts" not in poll.report
        assert watch.final
        # No Celery result was ever stored: every row takes its outcome (and result) from the report.
        assert len(poll.updates) == len(report["contracts"])
        by_row = {u[0]: u for u in poll.updates}
        for k, c in enumerate(report["contracts"]):
            update = by_row[k]
            assert update[2] == c["outcome"]
            assert unpack(update[8]) == c["result"]
            assert c["result"] is None or isinstance(update[8], bytes)
        assert history.report(bid) == report
        entry = history.get(bid)
        assert entry is not None and entry.state == "final" and entry.has_report

        # While Redis has it, the window reads it from there; once gone, from the history's copy.
        stream = open_report(client, history, bid)
        assert stream is not None and stream[0] == head and list(stream[1]()) == report["contracts"]
        r.flushdb()
        stream = open_report(client, history, bid)
        assert stream is not None and stream[0] == head and list(stream[1]()) == report["contracts"]

        # Reopened once Redis no longer has it: the rows come from the history, results packed.
        again = BatchWatch(bid).load(client, history, "test")
        assert again.state == "final" and again.report == head
        assert [row.name for row in again.rows] == [c["name"] for c in report["contracts"]]
        assert [unpack(row.result) for row in again.rows] == [c["result"] for c in report["contracts"]]
    finally:
        client.close()
        r.close()


def test_packed_json_round_trips() -> None:
    value = {"title": "Supply", "parties": ["A", "B"], "value": {"amount": 1.5, "currency": "USD"}}
    packed = pack(value)
    assert isinstance(packed, bytes) and not gc.is_tracked(packed) and unpack(packed) == value
    assert pack(packed) is packed and pack(None) is None
    assert unpack(value) is value  # what is not packed is returned as it is


def test_the_poller_waits_while_the_window_is_busy(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the window's ``idle`` event, a poll waits at its pacer while the event is clear (the window
    painting or filtering), and completes once it is set."""
    monkeypatch.setattr(json_yielding, "YIELD_MAX_S", 60.0)
    report = small_report(report_store.PART + 3)
    r = redis.Redis.from_url(redis_url)
    bid = store_in_parts(r, report)
    client = BatchClient(redis_url)
    history = HistoryStore(tmp_path / "h.sqlite3")
    idle = threading.Event()
    idle.set()
    try:
        watch = BatchWatch(bid, idle=idle)
        watch.load(client, history, "test")
        r.hset(ledger.batch_key(bid), "state", ledger.STATE_FINAL)
        idle.clear()
        polls: list[Any] = []
        poller = threading.Thread(target=lambda: polls.append(watch.poll(client, history)))
        poller.start()
        poller.join(0.5)
        assert poller.is_alive() and not polls  # waiting for the window
        idle.set()
        poller.join(60)
        assert polls and polls[0].report is not None and watch.final
    finally:
        client.close()
        r.close()
