"""Where Celery fires nothing, or fires too often: the watchdog and the lease make those right."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from core.engine import report_store
from core.engine.finalizer import Finalizer, Verdict
from core.engine.report_hooks import load_hooks
from core.engine.task_states import READY_STATES
from tests.engine.conftest import COUNT_HOOK, Engine, by_name, wait_for
from tests.engine.processors import runs


def task_ids(engine: Engine, batch_id: str) -> dict[str, str]:
    return {e.name: e.task_id for e in engine.client.entries(batch_id) if e.task_id}


def wait_state(engine: Engine, task_id: str, state: str, timeout: float = 60) -> None:
    wait_for(lambda: engine.client.states([task_id])[0] == state, timeout=timeout,
             what=f"{task_id} to be {state}")


def wait_running(engine: Engine, name: str, timeout: float = 60) -> None:
    """Until the processor itself runs on ``name``: Celery shows STARTED a moment before the task body
    (and its start gate, which counts attempts) runs."""
    wait_for(lambda: runs(engine.markers, name) >= 1, timeout=timeout, what=f"{name} to be running")


def test_revoke_of_a_queued_task_the_standard_way(engine: Engine) -> None:
    engine.start_worker(concurrency=1)
    meta = engine.launch("slow2-a.txt", "ok-queued.txt", "ok-c.txt")
    ids = task_ids(engine, meta.batch_id)
    wait_state(engine, ids["slow2-a.txt"], "STARTED")
    # As Flower does it: Celery's own control channel, nothing of ours.
    engine.client.app.control.revoke(ids["ok-queued.txt"])
    report = engine.report(meta.batch_id)
    rows = by_name(report)
    assert rows["ok-queued.txt"]["outcome"] == "revoked"
    assert rows["slow2-a.txt"]["outcome"] == "succeeded" and rows["ok-c.txt"]["outcome"] == "succeeded"
    assert runs(engine.markers, "ok-queued.txt") == 0
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1


def test_terminate_of_a_running_task(engine: Engine) -> None:
    engine.start_worker(concurrency=2)
    meta = engine.launch("slow30-a.txt", "ok-b.txt")
    ids = task_ids(engine, meta.batch_id)
    wait_running(engine, "slow30-a.txt")
    engine.client.app.control.revoke(ids["slow30-a.txt"], terminate=True)
    report = engine.report(meta.batch_id, timeout=20)
    row = by_name(report)["slow30-a.txt"]
    assert row["outcome"] == "revoked" and row["attempts"] == 1
    assert by_name(report)["ok-b.txt"]["outcome"] == "succeeded"


def test_revoke_sent_while_no_worker_runs_is_not_lost(engine: Engine) -> None:
    meta = engine.launch("ok-a.txt", "ok-b.txt")
    ids = task_ids(engine, meta.batch_id)
    engine.client.revoke(meta.batch_id, [ids["ok-a.txt"]])  # no worker hears this broadcast
    engine.start_worker()
    report = engine.report(meta.batch_id)
    assert by_name(report)["ok-a.txt"]["outcome"] == "revoked"
    assert by_name(report)["ok-b.txt"]["outcome"] == "succeeded"
    assert runs(engine.markers, "ok-a.txt") == 0


def test_cancel_revokes_queued_and_running_and_the_report_arrives(engine: Engine) -> None:
    engine.start_worker(concurrency=1)
    names = ["ok-done.txt", "slow30-running.txt", "ok-q1.txt", "ok-q2.txt"]
    meta = engine.launch(*names)
    ids = task_ids(engine, meta.batch_id)
    wait_state(engine, ids["slow30-running.txt"], "STARTED")
    assert engine.client.cancel(meta.batch_id) == 3
    report = engine.report(meta.batch_id, timeout=30)
    rows = by_name(report)
    assert rows["ok-done.txt"]["outcome"] == "succeeded"
    assert {rows[n]["outcome"] for n in names[1:]} == {"revoked"}
    assert runs(engine.markers, "ok-q1.txt") == 0 and runs(engine.markers, "ok-q2.txt") == 0
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1


def test_whole_worker_killed_mid_batch_then_a_new_worker(engine: Engine) -> None:
    first = engine.start_worker(concurrency=2)
    names = ["slow3-a.txt", "slow3-b.txt", "ok-c.txt", "ok-d.txt", "ok-e.txt"]
    meta = engine.launch(*names)
    wait_running(engine, "slow3-a.txt")
    first.kill_all()
    engine.start_worker(concurrency=2)
    # The killed worker's unacknowledged messages come back after the visibility timeout (8 s here).
    report = engine.report(meta.batch_id, timeout=90)
    rows = by_name(report)
    assert sorted(rows) == sorted(names)
    assert all(rows[n]["outcome"] == "succeeded" for n in names), rows
    assert rows["slow3-a.txt"]["attempts"] == 2
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1


def test_lost_messages_are_lost_at_the_deadline(engine: Engine) -> None:
    meta = engine.launch("ok-a.txt", "ok-b.txt", deadline=3)
    # The messages vanish before any worker sees them (a broker losing its queue).
    engine.client.redis.delete("contract_batch")
    wait_for(lambda: time.time() > meta.deadline_at, timeout=10)
    engine.start_worker()
    started = time.monotonic()
    report = engine.report(meta.batch_id, timeout=30)
    assert time.monotonic() - started < 10  # noticed within seconds of a worker being up
    assert report["finalized_by"] == "deadline"
    assert report["counts"]["lost"] == 2
    assert by_name(report)["ok-a.txt"]["error"].startswith("no outcome by the batch's deadline")


def test_tasks_starting_after_the_deadline_do_no_work(engine: Engine) -> None:
    meta = engine.launch("ok-a.txt", "ok-b.txt", "ok-c.txt", deadline=2)
    wait_for(lambda: time.time() > meta.deadline_at + 0.5, timeout=10)
    engine.start_worker()
    report = engine.report(meta.batch_id, timeout=30)
    assert report["counts"]["lost"] == 3
    # Whichever got there first, the finalizer or the queued messages, no contract was processed.
    ids = list(task_ids(engine, meta.batch_id).values())
    wait_for(lambda: all(s in READY_STATES for s in engine.client.states(ids)) or
             engine.client.redis.llen("contract_batch") == 0, timeout=30)
    assert sum(runs(engine.markers, n) for n in ("ok-a.txt", "ok-b.txt", "ok-c.txt")) == 0


def test_deadline_is_honoured_as_given(engine: Engine) -> None:
    engine.start_worker(concurrency=1)
    # The limits (the test environment's visibility timeout allows at most 7 s) fire after the deadline.
    meta = engine.launch("ok-a.txt", "slow30-b.txt", "ok-c.txt", deadline=4, time_limit=6.5,
                         soft_time_limit=6)
    report = engine.report(meta.batch_id, timeout=30)
    finished = report["finished_at"]
    rows = by_name(report)
    assert rows["ok-a.txt"]["outcome"] == "succeeded"
    assert rows["slow30-b.txt"]["outcome"] == "lost" and rows["ok-c.txt"]["outcome"] == "lost"
    elapsed = time.mktime(time.strptime(finished[:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(
        time.strptime(report["created_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    assert 3 <= elapsed <= 10
    # The lost task was terminated, not left running to contradict the report.
    wait_state(engine, rows["slow30-b.txt"]["task_id"], "REVOKED", timeout=20)


def test_idle_batch_with_lost_messages_finishes_without_a_deadline(engine: Engine) -> None:
    # The idle timeout is frozen into the batch when it is launched.
    engine.client.settings = replace(engine.client.settings, idle_timeout=3.0)
    meta = engine.launch("ok-a.txt")
    assert meta.deadline_at is None and meta.idle_timeout == 3.0
    engine.client.redis.delete("contract_batch")
    engine.start_worker()
    report = engine.report(meta.batch_id, timeout=30)
    assert report["finalized_by"] == "idle" and report["counts"]["lost"] == 1


def test_report_step_crashing_once(engine: Engine) -> None:
    faults = engine.tmp / "faults"
    faults.mkdir()
    engine.start_worker(env={"CONTRACT_BATCH_FAULTS": f"finalize-raise-once:{faults}"})
    meta = engine.launch("ok-a.txt", "raise-b.txt")
    report = engine.report(meta.batch_id, timeout=30)
    assert (faults / f"finalize-{meta.batch_id}").exists()  # the fault really fired
    assert report["counts"]["succeeded"] == 1 and report["counts"]["failed"] == 1
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1


def test_report_step_process_dying_once(engine: Engine) -> None:
    faults = engine.tmp / "faults"
    faults.mkdir()
    engine.start_worker(env={"CONTRACT_BATCH_FAULTS": f"finalize-exit-once:{faults}"})
    meta = engine.launch("ok-a.txt", "ok-b.txt")
    report = engine.report(meta.batch_id, timeout=60)
    assert (faults / f"finalize-{meta.batch_id}").exists()
    assert report["counts"]["succeeded"] == 2
    assert engine.wait_hooks_done(meta.batch_id) and engine.hook_calls(meta.batch_id) == 1


def test_failing_report_hook_is_recorded_and_loses_nothing(engine: Engine) -> None:
    engine.start_worker(hooks=("tests.engine.hooks:boom", COUNT_HOOK))
    meta = engine.launch("ok-a.txt")
    report = engine.report(meta.batch_id)
    hooks = engine.wait_hooks_done(meta.batch_id)
    assert [h["hook"] for h in hooks] == ["tests.engine.hooks:boom", COUNT_HOOK]
    assert hooks[0]["ok"] is False and hooks[0]["error"] == "RuntimeError: this hook always fails"
    assert hooks[1]["ok"] is True and engine.hook_calls(meta.batch_id) == 1
    assert report["counts"]["succeeded"] == 1


def test_racing_finalizers_record_one_report_and_call_hooks_once(engine: Engine, monkeypatch) -> None:
    # Errback, chord body and watchdog all at once: a worker with an aggressive watchdog finishes the
    # batch while eight more finalizers race it from this process.
    engine.start_worker(env={"CONTRACT_BATCH_SWEEP_INTERVAL": "0.1"})
    monkeypatch.setenv("CB_TEST_HOOK_LOG", str(engine.hook_log))
    meta = engine.launch(*[f"ok-{i}.txt" for i in range(6)], "raise-x.txt")
    ids = list(task_ids(engine, meta.batch_id).values())
    wait_for(lambda: all(s in READY_STATES for s in engine.client.states(ids)), timeout=60)
    finalizer = Finalizer(engine.client.redis, revoke=lambda ids: None, hooks=load_hooks([COUNT_HOOK]))
    verdicts: list[Verdict] = []
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        verdicts.append(finalizer.finalize(meta.batch_id, "errback"))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    report = engine.report(meta.batch_id)
    engine.wait_hooks_done(meta.batch_id)
    assert verdicts.count(Verdict.FINALIZED) <= 1
    assert engine.hook_calls(meta.batch_id) == 1
    assert report_store.read_report(engine.client.redis, meta.batch_id) == report
    assert report["counts"]["succeeded"] == 6 and report["counts"]["failed"] == 1
    # Later calls change nothing.
    assert finalizer.finalize(meta.batch_id, "watchdog") in (Verdict.ALREADY, Verdict.BUSY)
    assert engine.hook_calls(meta.batch_id) == 1


def test_hooks_published_by_one_worker_run_on_a_worker_started_without_them(engine: Engine) -> None:
    with_hooks = engine.start_worker(hooks=(COUNT_HOOK,))
    with_hooks.kill_all()
    engine.start_worker(hooks=())
    meta = engine.launch("ok-a.txt", "raise-b.txt")
    engine.report(meta.batch_id)
    assert [h["hook"] for h in engine.wait_hooks_done(meta.batch_id)] == [COUNT_HOOK]
    assert engine.hook_calls(meta.batch_id) == 1


def test_contract_that_kills_the_whole_worker_every_time_is_failed(engine: Engine) -> None:
    # No pool-process retries here, so the budget is 3 starts; each one takes the whole worker down,
    # which Celery alone would redeliver forever.
    env = {"CONTRACT_BATCH_WORKER_LOST_RETRIES": "0"}
    engine.start_worker(concurrency=1, env=env)
    meta = engine.launch("killworker-a.txt", "ok-b.txt")
    deadline = time.monotonic() + 150
    while engine.client.report(meta.batch_id) is None:
        assert time.monotonic() < deadline, "no report"
        if all(w.process.poll() is not None for w in engine.workers):
            engine.start_worker(concurrency=1, env=env)
        time.sleep(0.2)
    report = engine.report(meta.batch_id)
    row = by_name(report)["killworker-a.txt"]
    assert row["outcome"] == "failed" and "the worker died each time it ran this contract" in row["error"]
    assert runs(engine.markers, "killworker-a.txt") == 3
    assert by_name(report)["ok-b.txt"]["outcome"] == "succeeded"
