"""Contracts larger than ``content_inline_bytes`` travel by reference: stored once in Redis as bytes, read
by the start gate, deleted with the report; smaller ones stay inline. Either way a worker on another
machine gets the content, never a path."""

from __future__ import annotations

import base64
import json
from typing import Any

from core.contracts.loader import load_paths
from core.engine import ledger
from tests.engine.conftest import Engine, by_name

BIG = 100_000


def queued_contracts(engine: Engine) -> dict[str, dict[str, Any]]:
    """The contract argument of every task message waiting in the engine's queue, by name."""
    found = {}
    for raw in engine.client.redis.lrange("contract_batch", 0, -1):
        envelope = json.loads(raw)
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        found[args[1]["name"]] = args[1]
    return found


def test_large_contracts_travel_by_reference_and_survive_a_redelivery(engine: Engine) -> None:
    paths = engine.files("ok-small.txt", "ok-big.txt", "killonce-big.txt")
    for path in paths[1:]:
        path.write_bytes(("Large contract text. " * (BIG // 21 + 1)).encode()[:BIG])
    meta = engine.client.launch(load_paths(paths).items)

    messages = queued_contracts(engine)
    assert set(messages) == {"ok-small.txt", "ok-big.txt", "killonce-big.txt"}
    assert "data" in messages["ok-small.txt"] and "content" not in messages["ok-small.txt"]
    for name in ("ok-big.txt", "killonce-big.txt"):
        assert "data" not in messages[name] and messages[name]["size"] == BIG
        assert len(json.dumps(messages[name])) < 200
    content = ledger.batch_key(meta.batch_id, "content")
    assert engine.client.redis.hlen(content) == 2
    assert {len(v) for v in engine.client.redis.hvals(content)} == {BIG}

    engine.start_worker()
    report = engine.report(meta.batch_id)
    rows = by_name(report)
    assert rows["ok-big.txt"]["outcome"] == "succeeded"
    assert rows["ok-big.txt"]["result"] == {"name": "ok-big.txt", "size": BIG}
    assert rows["ok-small.txt"]["result"]["size"] == len("contract ok-small.txt\n")
    # The pool process died holding it; the retry read the content again from Redis.
    assert rows["killonce-big.txt"]["outcome"] == "succeeded" and rows["killonce-big.txt"]["attempts"] == 2
    assert not engine.client.redis.exists(content)  # gone with the report


def test_a_reference_whose_content_is_gone_fails_that_contract_with_a_reason(engine: Engine) -> None:
    paths = engine.files("ok-big.txt", "ok-small.txt")
    paths[0].write_bytes(b"x" * BIG)
    meta = engine.client.launch(load_paths(paths).items)
    engine.client.redis.delete(ledger.batch_key(meta.batch_id, "content"))  # as if the server lost it
    engine.start_worker()
    rows = by_name(engine.report(meta.batch_id))
    assert rows["ok-small.txt"]["outcome"] == "succeeded"
    assert rows["ok-big.txt"]["outcome"] == "failed"
    assert "content is no longer in Redis" in rows["ok-big.txt"]["error"]
