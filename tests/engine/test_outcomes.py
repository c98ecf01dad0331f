"""Every outcome, each in its own batch, against a real Redis and real prefork workers."""

from __future__ import annotations

from core.outcome import ALL_OUTCOMES
from tests.engine.conftest import Engine, by_name
from tests.engine.processors import runs


def assert_exactly_once(engine: Engine, report: dict, names: list[str]) -> None:
    rows = by_name(report)
    assert sorted(rows) == sorted(names)
    assert report["total"] == len(names)
    assert set(report["counts"]) == set(ALL_OUTCOMES)
    assert sum(report["counts"].values()) == len(names)
    assert engine.wait_hooks_done(report["batch_id"])
    assert engine.hook_calls(report["batch_id"]) == 1


def test_succeeded(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("ok-a.txt", "ok-b.txt")
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["ok-a.txt", "ok-b.txt"])
    row = by_name(report)["ok-a.txt"]
    assert row["outcome"] == "succeeded"
    assert row["result"] == {"name": "ok-a.txt", "size": len("contract ok-a.txt\n")}
    assert row["attempts"] == 1 and row["worker"] == engine.workers[0].name
    assert row["runtime_s"] is not None and row["error"] is None
    assert report["finalized_by"] == "callback"


def test_rejected_by_processor_and_at_load(engine: Engine) -> None:
    engine.start_worker()
    from core.contracts.loader import load_paths

    paths = engine.files("reject-a.txt", "ok-b.txt", "notes.xyz", "empty.txt")
    paths[-1].write_bytes(b"")
    meta = engine.client.launch(load_paths(paths).items)
    report = engine.report(meta.batch_id)
    rows = by_name(report)
    assert rows["reject-a.txt"]["outcome"] == "rejected"
    assert rows["reject-a.txt"]["error"] == "reject-a.txt is not a contract"
    assert rows["notes.xyz"] == {
        "name": "notes.xyz", "task_id": None, "outcome": "rejected",
        "error": "unsupported file type (.xyz)", "attempts": 0, "runtime_s": None, "worker": None,
        "result": None,
    }
    # A rejection is a business outcome: the task itself succeeded, so Celery's callback ran.
    assert report["finalized_by"] == "callback"
    assert rows["empty.txt"]["error"] == "empty file" and rows["empty.txt"]["task_id"] is None
    assert report["counts"]["rejected"] == 3 and report["counts"]["succeeded"] == 1


def test_uncaught_exception_is_failed(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("raise-a.txt", "ok-b.txt", "raise-c.txt")
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["raise-a.txt", "ok-b.txt", "raise-c.txt"])
    rows = by_name(report)
    assert rows["raise-a.txt"]["outcome"] == "failed"
    assert rows["raise-a.txt"]["error"] == "ValueError: boom in raise-a.txt"
    assert rows["ok-b.txt"]["outcome"] == "succeeded"
    assert report["finalized_by"] == "errback"
    assert engine.client.status(meta.batch_id).snapshots[rows["raise-a.txt"]["task_id"]].state == "FAILURE"


def test_soft_time_limit_is_timed_out(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("soft-a.txt", "ok-b.txt", soft_time_limit=1, time_limit=6)
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["soft-a.txt", "ok-b.txt"])
    row = by_name(report)["soft-a.txt"]
    assert row["outcome"] == "timed_out" and row["error"] == "soft time limit exceeded"
    assert 0.9 < row["runtime_s"] < 8


def test_hard_time_limit_is_timed_out(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("hard-a.txt", "ok-b.txt", soft_time_limit=1, time_limit=2)
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["hard-a.txt", "ok-b.txt"])
    row = by_name(report)["hard-a.txt"]
    assert row["outcome"] == "timed_out"
    assert row["error"].startswith("hard time limit")
    assert runs(engine.markers, "hard-a.txt") == 1  # not redelivered after the kill


def test_pool_child_killed_once_succeeds_on_retry(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("killonce-a.txt", "ok-b.txt")
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["killonce-a.txt", "ok-b.txt"])
    row = by_name(report)["killonce-a.txt"]
    assert row["outcome"] == "succeeded" and row["result"] == {"name": "killonce-a.txt", "survived": True}
    assert row["attempts"] == 2


def test_poison_contract_fails_within_budget(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("killalways-a.txt", "ok-b.txt")
    report = engine.report(meta.batch_id, timeout=60)
    assert_exactly_once(engine, report, ["killalways-a.txt", "ok-b.txt"])
    row = by_name(report)["killalways-a.txt"]
    assert row["outcome"] == "failed"
    assert row["error"].startswith("worker process died on 3 attempts")
    # 1 + CONTRACT_BATCH_WORKER_LOST_RETRIES runs, never a redelivery loop.
    assert runs(engine.markers, "killalways-a.txt") == 3


def test_os_exit_in_task_is_failed(engine: Engine) -> None:
    engine.start_worker()
    meta = engine.launch("exit-a.txt", "ok-b.txt")
    report = engine.report(meta.batch_id, timeout=60)
    assert_exactly_once(engine, report, ["exit-a.txt", "ok-b.txt"])
    assert by_name(report)["exit-a.txt"]["outcome"] == "failed"
    assert "worker process died" in by_name(report)["exit-a.txt"]["error"]


def test_single_contract_batch(engine: Engine) -> None:
    engine.start_worker(concurrency=1)
    meta = engine.launch("ok-only.txt")
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["ok-only.txt"])
    assert report["counts"]["succeeded"] == 1


def test_launch_in_a_subprocess_gives_the_same_batch(engine: Engine) -> None:
    from core.contracts.loader import load_paths
    from core.engine.client import launch_in_subprocess

    engine.start_worker()
    items = load_paths(engine.files("ok-a.txt", "reject-b.txt", "c.xyz")).items
    meta = launch_in_subprocess(engine.broker, items, label="from a child", deadline=60)
    assert meta.label == "from a child" and meta.total == 3 and meta.dispatched == 2
    report = engine.report(meta.batch_id)
    assert_exactly_once(engine, report, ["ok-a.txt", "reject-b.txt", "c.xyz"])
    assert report["counts"]["succeeded"] == 1 and report["counts"]["rejected"] == 2
    # The ledger keeps the local paths for Retry, though the child only sent content to the workers.
    assert all(e.source.endswith(e.name) for e in engine.client.entries(meta.batch_id))


def test_the_report_views_say_what_the_report_and_the_results_say(engine: Engine) -> None:
    """`list` reads the report's head and `status` its rows (not every result again): for every kind of
    row (succeeded, rejected by the processor and at load, failed) they agree with the report and with
    the per-task results they replace."""
    import json

    from core.contracts.loader import load_paths
    from core.counts import BatchCounts
    from core.engine import ledger, report_store
    from core.engine.client import BatchStatus

    engine.start_worker()
    paths = engine.files("ok-a.txt", "reject-b.txt", "raise-c.txt", "notes.xyz")
    meta = engine.client.launch(load_paths(paths).items)
    report = engine.report(meta.batch_id)
    client, r = engine.client, engine.client.redis
    head = report_store.read_report_head(r, meta.batch_id)
    views = report_store.read_report_views(r, meta.batch_id)
    assert views is not None and views[0] == head
    rows = views[1]
    assert head == {k: v for k, v in report.items() if k != "contracts"}
    assert rows == [{k: v for k, v in c.items() if k != "result"} for c in report["contracts"]]
    counts = BatchCounts.from_mapping(head["counts"])
    assert counts == BatchCounts.of(c["outcome"] for c in report["contracts"]) and counts.total == 4

    from_views = client.status(meta.batch_id)
    found = client.batch(meta.batch_id)
    assert from_views is not None and found is not None
    ids = [e.task_id for e in from_views.entries if e.task_id]
    from_results = BatchStatus(found[0], found[1], from_views.entries,
                               {s.task_id: s for s in client.snapshots(meta.batch_id, ids)}, report)
    assert from_views.to_json() == from_results.to_json()
    assert {c["state"] for c in from_views.to_json()["contracts"]} == {"SUCCESS", "FAILURE", None}

    # A report stored as one value (before the views and the parts existed) is still read through them.
    stored = (*report_store.REPORT_VIEWS, report_store.PARTS)
    r.delete(*(ledger.batch_key(meta.batch_id, key) for key in stored))
    r.set(ledger.batch_key(meta.batch_id, report_store.OLD), json.dumps(report))
    assert report_store.read_report(r, meta.batch_id) == report
    assert report_store.read_report_head(r, meta.batch_id) == head
    assert report_store.read_report_views(r, meta.batch_id) == (head, rows)
    assert client.status(meta.batch_id).to_json() == from_results.to_json()
