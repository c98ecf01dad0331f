"""The start gate: whether a header task may run, and what it records."""

from __future__ import annotations

import json
import time

import redis

from core.engine import ledger
from core.engine.task_states import read_states
from core.engine.tasks import refusal


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


def test_the_gate_records_started_as_celery_would_but_never_over_a_success(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url)
    r.hset(ledger.batch_key("gatebatch"), mapping={"state": "open"})
    key = ledger.result_key("gatebatch-0")
    gate = ledger.begin_attempt(r, "gatebatch", "gatebatch-0", "w@x", time.time(), result_ttl=3600)
    assert (gate.state, gate.attempt) == ("open", 1)
    meta = json.loads(r.get(key) or b"null")
    assert meta["status"] == "STARTED" and meta["result"]["hostname"] == "w@x"
    assert meta["task_id"] == "gatebatch-0" and 0 < r.ttl(key) <= 3600
    # What the status commands and the grid read from it.
    assert read_states(r, ["gatebatch-0"]) == ["STARTED"]
    # A late redelivery of a contract that already succeeded does not hide its result.
    r.set(key, json.dumps({"status": "SUCCESS", "result": {"outcome": "ok"}, "task_id": "gatebatch-0"}))
    gate = ledger.begin_attempt(r, "gatebatch", "gatebatch-0", "w@y", time.time(), result_ttl=3600)
    assert gate.attempt == 2 and json.loads(r.get(key) or b"null")["status"] == "SUCCESS"
    r.delete(*r.keys("*gatebatch*"))
    r.close()


def test_the_gate_hands_back_the_content_of_a_contract_sent_by_reference(redis_url: str) -> None:
    r = redis.Redis.from_url(redis_url)
    r.hset(ledger.batch_key("refbatch"), mapping={"state": "open"})
    ledger.store_contents(r, "refbatch", [("0", b"\x00binary\xff" * 1000), ("1", b"other")])
    gate = ledger.begin_attempt(r, "refbatch", "refbatch-0", "w@x", time.time(), content="0")
    assert gate.content == b"\x00binary\xff" * 1000 and gate.state == "open"
    assert ledger.begin_attempt(r, "refbatch", "refbatch-1", "w@x", time.time()).content is None
    assert ledger.begin_attempt(r, "refbatch", "refbatch-2", "w@x", time.time(), content="2").content is None
    # A batch that no longer exists hands back nothing, and writes nothing.
    assert ledger.begin_attempt(r, "gone", "gone-0", "w@x", time.time(), content="0").content is None
    r.delete(*r.keys("*refbatch*"))
    r.close()
