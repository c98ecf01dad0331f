"""A batch of a few thousand contracts, and the bulk reads that make its status cheap."""

from __future__ import annotations

from core.contracts.loader import load_paths
from tests.engine.conftest import Engine, by_name


def _mget_calls(engine: Engine) -> int:
    stats = engine.client.redis.info("commandstats")
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


def test_a_few_thousand_contracts_each_exactly_once(engine: Engine) -> None:
    engine.start_worker(concurrency=2)
    names = [f"ok-{i:05d}.txt" for i in range(2500)]
    paths = engine.files(*names)
    meta = engine.client.launch(load_paths(paths).items)
    report = engine.report(meta.batch_id, timeout=300)
    rows = by_name(report)
    assert len(rows) == 2500 and report["counts"]["succeeded"] == 2500
    assert [c["name"] for c in report["contracts"]] == names
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1

    before = _mget_calls(engine)
    status = engine.client.status(meta.batch_id)
    # One MGET per thousand ids (2500 ids -> 3), not one read per id.
    assert _mget_calls(engine) - before == 3
    assert len(status.snapshots) == 2500 and all(s.state == "SUCCESS" for s in status.snapshots.values())
