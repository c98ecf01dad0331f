"""The ledger in Redis: reading a large report."""

from __future__ import annotations

import json

import redis

from core.engine import ledger


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
