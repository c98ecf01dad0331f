"""The engine's plain functions, without workers: classification, the start gate, execution, the lease."""

from __future__ import annotations

import json
import time

import pytest
import redis

from core import Contract, ContractRejected
from core.config import load_section, save_section
from core.engine import ledger
from core.engine.broker import mask, redis_client, resolve_broker
from core.engine.execution import execute
from core.engine.finalizer import Finalizer, Verdict
from core.engine.task_states import classify, fast_status
from core.engine.tasks import refusal


@pytest.mark.parametrize(
    ("meta", "outcome", "error"),
    [
        ({"status": "SUCCESS", "result": {"outcome": "succeeded", "result": {"a": 1}}}, "succeeded", None),
        ({"status": "SUCCESS", "result": {"outcome": "rejected", "error": "no"}}, "rejected", "no"),
        ({"status": "SUCCESS", "result": 42}, "succeeded", None),  # a foreign task's plain result
        ({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["bad"]}}, "failed",
         "ValueError: bad"),
        ({"status": "FAILURE", "result": {"exc_type": "SoftTimeLimitExceeded", "exc_message": []}},
         "timed_out", "soft time limit exceeded"),
        ({"status": "FAILURE", "result": {"exc_type": "TimeLimitExceeded", "exc_message": [6.0]}},
         "timed_out", "hard time limit (6.0 s) exceeded"),
        ({"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["SIGKILL"]}},
         "failed", "worker process died: SIGKILL"),
        ({"status": "REVOKED", "result": {"exc_type": "TaskRevokedError", "exc_message": ["terminated"]}},
         "revoked", "revoked (terminated)"),
        ({"status": "REVOKED", "result": {"exc_type": "TaskRevokedError",
                                          "exc_message": ["lost: started after its batch's deadline"]}},
         "lost", "started after its batch's deadline"),
        ({"status": "STARTED", "result": {"pid": 1}}, None, None),
        ({"status": "RETRY", "result": None}, None, None),
        (None, None, None),
    ],
)
def test_classify(meta: dict | None, outcome: str | None, error: str | None) -> None:
    c = classify(meta)
    assert (c.outcome, c.error) == (outcome, error)


def test_fast_status_matches_full_decode() -> None:
    for status in ("SUCCESS", "FAILURE", "STARTED"):
        raw = json.dumps({"status": status, "result": {"x": '"status": "NOPE"'}}).encode()
        assert fast_status(raw) == status
    assert fast_status(None) == "PENDING"
    assert fast_status(b'{"result": 1, "status": "REVOKED"}') == "REVOKED"  # other key order


def test_refusal_gate() -> None:
    now = time.time()
    gate = ledger.AttemptGate
    assert refusal(gate("open", None, 1), now) is None
    assert refusal(gate("open", now + 10, 1), now) is None
    assert refusal(gate("open", now - 1, 1), now) == "lost: started after its batch's deadline"
    assert refusal(gate("cancelled", None, 1), now) == "batch cancelled"
    assert refusal(gate("closing", None, 1), now).startswith("lost:")
    assert refusal(gate("final", None, 1), now).startswith("lost:")
    assert refusal(gate(None, None, 1), now) == "lost: its batch no longer exists"
    assert refusal(gate("open", None, 1, revoked=True), now) == "revoked"


def test_execute_outcomes() -> None:
    c = Contract("a.txt", b"hello", "text/plain")
    assert execute(lambda k: {"n": len(k.data)}, c)["result"] == {"n": 5}

    def reject(k: Contract) -> dict:
        raise ContractRejected("not a contract")

    out = execute(reject, c)
    assert (out["outcome"], out["error"], out["result"]) == ("rejected", "not a contract", None)
    with pytest.raises(TypeError, match="not JSON-serializable"):
        execute(lambda k: {"when": object()}, c)
    with pytest.raises(TypeError, match="expected a dict"):
        execute(lambda k: [1], c)  # type: ignore[arg-type, return-value]


def test_contract_message_round_trip_carries_content_not_path() -> None:
    c = Contract("a.pdf", bytes(range(256)), "application/pdf", source="/home/me/secret/a.pdf")
    message = c.to_message()
    assert "source" not in message and "/home/me" not in json.dumps(message)
    assert Contract.from_message(message) == c


def test_scrub_hides_passwords_in_messages() -> None:
    from core.engine.broker import scrub

    text = "Error 111 connecting to redis://:pw@h:1/0 and rediss://user:p%40ss@other:6380/2."
    assert scrub(text) == "Error 111 connecting to redis://:***@h:1/0 and rediss://user:***@other:6380/2."


def test_mask_hides_passwords() -> None:
    assert mask("redis://:pw@host:6379/0") == "redis://:***@host:6379/0"
    assert mask("redis://user:pw@host/1") == "redis://user:***@host/1"
    assert mask("redis://host:6379/0") == "redis://host:6379/0"


def test_settings_file_refuses_secrets() -> None:
    with pytest.raises(ValueError, match="refusing to write secrets"):
        save_section("broker", {"url": "redis://h/0", "password": "x"})
    save_section("broker", {"url": "redis://h:1/0"})
    assert load_section("broker") == {"url": "redis://h:1/0"}


def test_broker_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_broker(None).local
    save_section("broker", {"url": "redis://cfg:1/0"})
    assert resolve_broker(None).source == "config"
    monkeypatch.setenv("CONTRACT_BATCH_BROKER", "redis://env:1/0")
    assert resolve_broker(None).url == "redis://env:1/0"
    assert resolve_broker("redis://opt:1/0").source == "option"


def _ledger(r: redis.Redis, batch_id: str, task_ids: list[str]) -> None:
    meta = ledger.BatchMeta(batch_id, "", "2026-01-01T00:00:00+00:00", time.time(), len(task_ids),
                            len(task_ids), 1, 2, None, 60)
    ledger.create_batch(r, meta, [ledger.Entry(t, t) for t in task_ids])


def test_finalizer_waits_then_forces_and_holds_a_lease(redis_url: str) -> None:
    r = redis_client(redis_url)
    _ledger(r, "b1", ["b1-0", "b1-1"])
    r.set("celery-task-meta-b1-0", json.dumps({"status": "SUCCESS", "result": {"outcome": "succeeded"}}))
    revoked: list[list[str]] = []
    fin = Finalizer(r, revoke=revoked.append)
    assert fin.finalize("b1", "watchdog") is Verdict.PENDING
    r.set(ledger.batch_key("b1", "claim"), "someone-else", px=5000)
    assert fin.finalize("b1", "watchdog", force="idle") is Verdict.BUSY
    r.delete(ledger.batch_key("b1", "claim"))
    assert fin.finalize("b1", "watchdog", force="idle") is Verdict.FINALIZED
    assert revoked == [["b1-1"]]
    report = ledger.read_report(r, "b1")
    assert report is not None
    assert [c["outcome"] for c in report["contracts"]] == ["succeeded", "lost"]
    assert report["finalized_by"] == "idle"
    assert fin.finalize("b1", "errback") is Verdict.ALREADY
    assert ledger.open_batches(r) == []
    assert fin.finalize("nosuch", "errback") is Verdict.UNKNOWN


def test_switching_brokers_back_and_forth_keeps_a_working_app(redis_server) -> None:
    from core.engine.app import app, configure_app

    urls = [f"redis://127.0.0.1:{redis_server.port}/{db}" for db in (14, 15)]
    for url in [*urls, *urls]:
        configure_app(url)
        # A broadcast needs a pooled connection: a closed pool from the previous use would raise here.
        assert app.control.ping(timeout=0.2) == []
        assert app.backend.client.connection_pool.connection_kwargs["db"] == int(url.rsplit("/", 1)[1])


def test_a_processors_own_timeout_error_is_a_failure_not_a_time_limit() -> None:
    c = classify({"status": "FAILURE", "result": {"exc_type": "TimeoutError", "exc_message": ["socket"]}})
    assert (c.outcome, c.error) == ("failed", "TimeoutError: socket")


def test_finalizer_that_lost_its_lease_stores_nothing(redis_url: str) -> None:
    r = redis_client(redis_url)
    _ledger(r, "b2", ["b2-0"])
    claim = ledger.batch_key("b2", "claim")

    def stall_and_lose_the_lease(ids: list[str]) -> None:
        # As if a GC pause outlived the lease and the watchdog claimed the batch meanwhile.
        r.set(claim, "the-watchdogs-token", px=5000)

    fin = Finalizer(r, revoke=stall_and_lose_the_lease)
    assert fin.finalize("b2", "errback", force="idle") is Verdict.BUSY
    assert ledger.read_report(r, "b2") is None
    assert r.get(claim) == b"the-watchdogs-token"  # and ours did not release theirs


def test_hook_raising_system_exit_is_recorded_and_hooks_run_once(redis_url: str) -> None:
    from core.engine.report_hooks import run_hook

    def leave(report: dict) -> None:
        raise SystemExit(3)

    assert run_hook("m:leave", leave, {"batch_id": "x"})["error"] == "SystemExit: 3"
    r = redis_client(redis_url)
    _ledger(r, "b3", ["b3-0"])
    r.set("celery-task-meta-b3-0", json.dumps({"status": "SUCCESS", "result": {"outcome": "succeeded"}}))
    calls: list[str] = []
    hooks = [("m:leave", leave), ("m:count", lambda rep: calls.append(rep["batch_id"]))]
    fin = Finalizer(r, revoke=lambda ids: None, hooks=hooks)
    assert fin.finalize("b3", "callback") is Verdict.FINALIZED
    assert fin.finalize("b3", "watchdog") is Verdict.ALREADY
    assert calls == ["b3"]
    assert [h["ok"] for h in ledger.read_hooks(r, "b3") or []] == [False, True]


def test_time_limit_must_stay_below_the_visibility_timeout(redis_url: str) -> None:
    from core.engine.client import BatchClient
    from core.engine.settings import EngineSettings

    client = BatchClient(redis_url, EngineSettings(visibility_timeout=600, restore_interval=10))
    contract = Contract("a.txt", b"x", "text/plain")
    with pytest.raises(ValueError, match="visibility timeout"):
        client.launch([contract], time_limit=595)
    with pytest.raises(ValueError, match="must be below the hard one"):
        client.launch([contract], soft_time_limit=30, time_limit=20)
    assert client.launch([contract], time_limit=580).time_limit == 580


def test_cancel_does_not_relabel_a_finished_batch(redis_url: str) -> None:
    from core.engine.client import BatchClient

    r = redis_client(redis_url)
    _ledger(r, "b4", ["b4-0"])
    ledger.transition(r, "b4", [ledger.STATE_OPEN], ledger.STATE_FINAL)
    assert BatchClient(redis_url).cancel("b4") == 0
    assert ledger.read_state(r, "b4") == ledger.STATE_FINAL


def test_a_large_report_read_in_pieces_is_whole_or_none(redis_url: str) -> None:
    """The desktop app reads a big report a megabyte at a time; the pieces make the stored bytes, and a
    report that disappears midway (expired) reads as None, never as a truncated document."""
    r = redis.Redis.from_url(redis_url)
    key = ledger.batch_key("big", "report")
    raw = json.dumps({"contracts": [{"name": f"c{i}", "pad": "x" * 300} for i in range(8_000)]}).encode()
    assert len(raw) > 2 * ledger.REPORT_READ_CHUNK
    r.set(key, raw)
    calls: list[int] = []
    assert ledger.read_report_json(r, "big", lambda: calls.append(1)) == raw
    assert len(calls) == -(-len(raw) // ledger.REPORT_READ_CHUNK)
    assert ledger.read_report_json(r, "big") == raw
    assert ledger.read_report(r, "big") == json.loads(raw)

    def expire_midway() -> None:
        r.delete(key)

    r.set(key, raw)
    assert ledger.read_report_json(r, "big", expire_midway) is None
    assert ledger.read_report_json(r, "missing", lambda: None) is None
    r.close()


def test_a_task_of_a_batch_that_does_not_exist_writes_nothing(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url)
    r.set(ledger.ACTIVITY_KEY, "1000.0")
    gate = ledger.begin_attempt(r, "nosuchbatch", "nosuchbatch-0", "w@x", time.time())
    assert gate.state is None and gate.attempt == 0
    assert refusal(gate, time.time()) is not None
    # No keys that nothing would ever expire, and the idle clock of the real batches is not reset.
    assert r.keys(ledger.batch_key("nosuchbatch") + "*") == []
    assert r.get(ledger.ACTIVITY_KEY) == b"1000.0"
    r.close()
