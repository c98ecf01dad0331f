"""The final report in Redis: stored in parts, read whole, in pieces or as a stream; reports stored as
one value by earlier versions still read."""

from __future__ import annotations

import json

import pytest
import redis

from core.engine import ledger, report_store


def test_a_report_stored_as_one_value_read_in_pieces_is_whole_or_none(redis_url: str) -> None:
    """The desktop app reads a big report of an earlier version a megabyte at a time; the pieces make the
    stored bytes, and a report that disappears midway (expired) reads as None, never as a truncated
    document."""
    r = redis.Redis.from_url(redis_url)
    key = ledger.batch_key("big", report_store.OLD)
    raw = json.dumps({"contracts": [{"name": f"c{i}", "pad": "x" * 300} for i in range(8_000)]}).encode()
    assert len(raw) > 2 * report_store.REPORT_READ_CHUNK
    r.set(key, raw)
    calls: list[int] = []
    assert report_store.read_report_json(r, "big", lambda: calls.append(1)) == raw
    assert len(calls) == -(-len(raw) // report_store.REPORT_READ_CHUNK)
    assert report_store.read_report_json(r, "big") == raw
    assert report_store.read_report(r, "big") == json.loads(raw)

    def expire_midway() -> None:
        r.delete(key)

    r.set(key, raw)
    assert report_store.read_report_json(r, "big", expire_midway) is None
    assert report_store.read_report_json(r, "missing", lambda: None) is None
    r.close()


def _finalized(r: redis.Redis, batch_id: str, results: list[dict | None]) -> dict:
    """A batch whose tasks ended with ``results`` (None: never ran), finalized by the real finalizer."""
    from core.engine.finalizer import Finalizer, Verdict
    from tests.engine.conftest import make_ledger

    ids = [f"{batch_id}-{i}" for i in range(len(results))]
    make_ledger(r, batch_id, ids)
    pipe = r.pipeline(transaction=False)
    for task_id, result in zip(ids, results, strict=True):
        if result is not None:
            pipe.set(f"celery-task-meta-{task_id}",
                     json.dumps({"status": "SUCCESS", "result": {"outcome": "succeeded", "result": result}}))
    pipe.execute()
    verdict = Finalizer(r, revoke=lambda ids: None).finalize(batch_id, "watchdog", force="idle")
    assert verdict is Verdict.FINALIZED
    report = report_store.read_report(r, batch_id)
    assert report is not None
    return report


def test_a_report_is_stored_in_parts_and_read_back_whole(redis_url: str) -> None:
    """A batch larger than a part: the parts hold every contract once, in dispatch order; the whole
    report, its paced read, its views and its stream all say the same; nothing is left staged."""
    r = redis.Redis.from_url(redis_url)
    count = 2 * report_store.PART + 7
    results = [None if i % 97 == 0 else {"title": f"Contract {i}", "pad": "é" * 50} for i in range(count)]
    report = _finalized(r, "parts", results)
    assert [c["task_id"] for c in report["contracts"]] == [f"parts-{i}" for i in range(count)]
    assert [c["outcome"] for c in report["contracts"]].count("lost") == len([x for x in results if x is None])
    assert report["contracts"][1]["result"] == results[1]
    assert r.llen(ledger.batch_key("parts", report_store.PARTS)) == 3
    assert not r.exists(ledger.batch_key("parts", report_store.OLD))
    assert r.keys("*report_parts:*") == []  # the staging key was renamed, not copied
    assert r.ttl(ledger.batch_key("parts", report_store.PARTS)) > 0

    paced: list[int] = []
    raw = report_store.read_report_json(r, "parts", lambda: paced.append(1))
    assert raw is not None and json.loads(raw) == report and len(paced) == 3
    head, rows = report_store.read_report_views(r, "parts") or ({}, [])
    assert head == {k: v for k, v in report.items() if k != "contracts"} and len(rows) == count
    stream = report_store.read_report_stream(r, "parts")
    assert stream is not None and stream[0] == head
    assert list(stream[1]()) == report["contracts"] == list(stream[1]())  # as often as needed
    # The desktop app's jobs parse each part paced (a rest between stretches of its objects).
    rests: list[int] = []
    paced_stream = report_store.read_report_stream(r, "parts", lambda: rests.append(1))
    assert paced_stream is not None and list(paced_stream[1]()) == report["contracts"]
    assert len(rests) > count  # called for every object parsed, not once per part

    def expire_midway() -> None:
        r.delete(ledger.batch_key("parts", report_store.PARTS))

    assert report_store.read_report_json(r, "parts", expire_midway) is None
    with pytest.raises(report_store.ReportGone):
        list(stream[1]())
    r.close()


def test_an_empty_batch_and_a_lost_lease_leave_a_whole_report_or_nothing(redis_url: str) -> None:
    from core.engine.finalizer import Finalizer, Verdict
    from tests.engine.conftest import make_ledger

    r = redis.Redis.from_url(redis_url)
    report = _finalized(r, "empty", [])
    assert report["contracts"] == [] and report["total"] == 0
    assert report_store.report_exists(r, "empty")
    stream = report_store.read_report_stream(r, "empty")
    assert stream is not None and list(stream[1]()) == []

    make_ledger(r, "lost", ["lost-0"])
    claim = ledger.batch_key("lost", "claim")
    # As if the finalizer stalled past its lease and the watchdog took the batch meanwhile.
    fin = Finalizer(r, revoke=lambda ids: r.set(claim, "the-watchdogs-token", px=5000))
    assert fin.finalize("lost", "errback", force="idle") is Verdict.BUSY
    assert not report_store.report_exists(r, "lost") and r.keys("*report_parts*") == []
    assert report_store.read_report_stream(r, "lost") is None
    r.close()
