"""The report step: waiting, forcing, the lease, hooks run once."""

from __future__ import annotations

import json

from core.engine import ledger, report_store
from core.engine.broker import redis_client
from core.engine.finalizer import Finalizer, Verdict
from tests.engine.conftest import make_ledger


def test_finalizer_waits_then_forces_and_holds_a_lease(redis_url: str) -> None:
    r = redis_client(redis_url)
    make_ledger(r, "b1", ["b1-0", "b1-1"])
    r.set("celery-task-meta-b1-0", json.dumps({"status": "SUCCESS", "result": {"outcome": "succeeded"}}))
    revoked: list[list[str]] = []
    fin = Finalizer(r, revoke=revoked.append)
    assert fin.finalize("b1", "watchdog") is Verdict.PENDING
    r.set(ledger.batch_key("b1", "claim"), "someone-else", px=5000)
    assert fin.finalize("b1", "watchdog", force="idle") is Verdict.BUSY
    r.delete(ledger.batch_key("b1", "claim"))
    assert fin.finalize("b1", "watchdog", force="idle") is Verdict.FINALIZED
    assert revoked == [["b1-1"]]
    report = report_store.read_report(r, "b1")
    assert report is not None
    assert [c["outcome"] for c in report["contracts"]] == ["succeeded", "lost"]
    assert report["finalized_by"] == "idle"
    assert fin.finalize("b1", "errback") is Verdict.ALREADY
    assert ledger.open_batches(r) == []
    assert fin.finalize("nosuch", "errback") is Verdict.UNKNOWN


def test_finalizer_that_lost_its_lease_stores_nothing(redis_url: str) -> None:
    r = redis_client(redis_url)
    make_ledger(r, "b2", ["b2-0"])
    claim = ledger.batch_key("b2", "claim")

    def stall_and_lose_the_lease(ids: list[str]) -> None:
        # As if a GC pause outlived the lease and the watchdog claimed the batch meanwhile.
        r.set(claim, "the-watchdogs-token", px=5000)

    fin = Finalizer(r, revoke=stall_and_lose_the_lease)
    assert fin.finalize("b2", "errback", force="idle") is Verdict.BUSY
    assert report_store.read_report(r, "b2") is None
    assert r.get(claim) == b"the-watchdogs-token"  # and ours did not release theirs


def test_hook_raising_system_exit_is_recorded_and_hooks_run_once(redis_url: str) -> None:
    from core.engine.report_hooks import run_hook

    def leave(report: dict) -> None:
        raise SystemExit(3)

    assert run_hook("m:leave", leave, {"batch_id": "x"})["error"] == "SystemExit: 3"
    r = redis_client(redis_url)
    make_ledger(r, "b3", ["b3-0"])
    r.set("celery-task-meta-b3-0", json.dumps({"status": "SUCCESS", "result": {"outcome": "succeeded"}}))
    calls: list[str] = []
    hooks = [("m:leave", leave), ("m:count", lambda rep: calls.append(rep["batch_id"]))]
    fin = Finalizer(r, revoke=lambda ids: None, hooks=hooks)
    assert fin.finalize("b3", "callback") is Verdict.FINALIZED
    assert fin.finalize("b3", "watchdog") is Verdict.ALREADY
    assert calls == ["b3"]
    assert [h["ok"] for h in ledger.read_hooks(r, "b3") or []] == [False, True]
