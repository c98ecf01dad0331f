"""The contract-batch CLI as a user runs it: exit codes, JSON shapes, plain errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.engine.conftest import Engine, by_name, wait_for


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def test_run_wait_json_reports_every_file_once_in_sorted_order(engine: Engine, tmp_path: Path) -> None:
    engine.start_worker()
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name in ["ok-b.txt", "ok-a.txt", "sub/raise-c.txt", "reject-d.txt", "z.bin"]:
        (folder / name).write_text(f"contract {name}")
    out = tmp_path / "out"
    proc = cli("run", str(folder), "--broker", engine.broker, "--wait", "--json", "--label", "nightly",
               "--out", str(out), env=engine.env())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [c["name"] for c in report["contracts"]] == ["ok-a.txt", "ok-b.txt", "reject-d.txt",
                                                        "raise-c.txt", "z.bin"]
    assert report["label"] == "nightly"
    assert report["counts"] == {"succeeded": 2, "rejected": 2, "failed": 1, "timed_out": 0, "revoked": 0,
                                "lost": 0}
    assert "rejected z.bin: unsupported file type (.bin)" in proc.stderr
    assert json.loads((out / "report.json").read_text()) == report
    assert "Traceback" not in proc.stderr


def test_run_status_report_cancel_without_waiting(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["ok-a.txt", "ok-b.txt"]:
        (folder / name).write_text("x")
    proc = cli("run", str(folder), "--broker", engine.broker, "--json", env=engine.env())
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["total"] == 2 and summary["dispatched"] == 2
    batch_id = summary["batch_id"]

    status = cli("status", batch_id, "--broker", engine.broker, "--json", env=engine.env())
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["batch_id"] == batch_id and data["final"] is False
    assert [(c["name"], c["state"], c["outcome"]) for c in data["contracts"]] == [
        ("ok-a.txt", "PENDING", None), ("ok-b.txt", "PENDING", None)]
    assert all(c["task_id"].startswith(batch_id) for c in data["contracts"])

    not_final = cli("report", batch_id, "--broker", engine.broker, env=engine.env())
    assert not_final.returncode == 3 and "not final yet (0 of 2 contracts done)" in not_final.stderr

    cancelled = cli("cancel", batch_id, "--broker", engine.broker, env=engine.env())
    assert cancelled.returncode == 0 and "revoked 2 unfinished" in cancelled.stdout
    engine.start_worker()  # the report needs a worker to come back; none ran when we cancelled
    report = engine.report(batch_id)
    assert {c["outcome"] for c in report["contracts"]} == {"revoked"}
    final = cli("report", batch_id, "--broker", engine.broker, "--json", env=engine.env())
    assert final.returncode == 0 and json.loads(final.stdout) == report
    status = json.loads(cli("status", batch_id, "--broker", engine.broker, "--json", env=engine.env()).stdout)
    assert status["final"] is True and [c["outcome"] for c in status["contracts"]] == ["revoked", "revoked"]
    assert status["hooks"] is None or isinstance(status["hooks"], list)


def test_unreachable_broker_is_exit_1_in_plain_words(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    proc = cli("run", str(tmp_path), "--broker", "redis://127.0.0.1:1/0", "--wait")
    assert proc.returncode == 1
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_password_never_shown(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    proc = cli("run", str(tmp_path), "--broker", "redis://:s3cretpw@127.0.0.1:1/0")
    assert proc.returncode == 1 and "s3cretpw" not in proc.stderr + proc.stdout
    assert "redis://:***@127.0.0.1:1/0" in proc.stderr


@pytest.mark.parametrize(
    ("files", "message"),
    [({}, "no contract files found"), ({"a.xyz": "x", "b.txt": ""}, "nothing loadable")],
)
def test_nothing_loadable_is_exit_2(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    proc = cli("run", str(tmp_path), "--broker", "redis://127.0.0.1:1/0")
    assert proc.returncode == 2 and message in proc.stderr


def test_unknown_batch_is_exit_2(engine: Engine) -> None:
    for command in ("status", "report", "cancel"):
        proc = cli(command, "nosuchbatch", "--broker", engine.broker, env=engine.env())
        assert proc.returncode == 2 and "no such batch: nosuchbatch" in proc.stderr


def test_worker_refuses_a_processor_it_cannot_load(engine: Engine) -> None:
    proc = cli("worker", "--broker", engine.broker, "--processor", "nosuchmodule:fn", env=engine.env())
    assert proc.returncode == 2 and "cannot load nosuchmodule:fn" in proc.stderr


def test_local_mode_run_wait_starts_and_stops_what_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"contract-{i}.txt").write_text(f"This Agreement number {i} is made between A and B.")
    proc = cli("run", str(folder), "--wait", "--json", timeout=180)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["counts"]["succeeded"] == 3
    status = cli("local", "status")
    assert "redis: stopped" in status.stdout and "workers: stopped" in status.stdout


def test_local_mode_kept_running_then_stopped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("This Agreement is made between A and B.")
    try:
        assert cli("local", "start", "--concurrency", "1").returncode == 0
        assert "redis: running" in cli("local", "status").stdout
        proc = cli("run", str(folder), "--json")
        assert proc.returncode == 0, proc.stderr
        batch_id = json.loads(proc.stdout)["batch_id"]
        wait_for(lambda: cli("report", batch_id).returncode == 0, timeout=90, interval=0.5,
                 what="the local batch's report")
        # Append-only persistence: stopping and starting again keeps the report.
        assert cli("local", "stop").returncode == 0
        assert "redis: stopped" in cli("local", "status").stdout
        assert cli("local", "start", "--concurrency", "1").returncode == 0
        again = cli("report", batch_id, "--json")
        assert again.returncode == 0 and by_name(json.loads(again.stdout))["a.txt"]["outcome"] == "succeeded"
    finally:
        cli("local", "stop")


def test_run_wait_shows_progress_on_a_terminal(engine: Engine, tmp_path: Path) -> None:
    import os
    import pty

    engine.start_worker()
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["slow1-a.txt", "ok-b.txt", "raise-c.txt"]:
        (folder / name).write_text("x")
    master, slave = pty.openpty()
    try:
        command = [sys.executable, "-m", "core.cli", "run", str(folder), "--broker", engine.broker, "--wait"]
        proc = subprocess.run(command, cwd=ROOT, env=engine.env(), stdout=subprocess.PIPE, stderr=slave,
                              stdin=subprocess.DEVNULL, timeout=120, check=False, text=True)
        os.close(slave)
        slave = -1
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    # click's bar on the terminal: position, percentage, the count that needs attention as it grows.
    assert b"0/3" in shown and b"3/3  100%" in shown and b"1 needs attention" in shown
    # The summary is last on stdout; the contracts are not listed without -v (they are one command away).
    lines = proc.stdout.strip().splitlines()
    assert "2 of 3 contracts succeeded; 1 needs attention." in proc.stdout
    assert lines[-1].startswith("Every contract: 'contract-batch report ")
    assert not any(line.strip().startswith("slow1-a.txt") for line in lines)


def test_report_hooks_from_the_environment(engine: Engine) -> None:
    from tests.engine.conftest import COUNT_HOOK

    engine.start_worker(hooks=(), env={"CONTRACT_BATCH_REPORT_HOOKS": f" {COUNT_HOOK} ,"})
    meta = engine.launch("ok-a.txt")
    engine.report(meta.batch_id)
    assert [h["hook"] for h in engine.wait_hooks_done(meta.batch_id)] == [COUNT_HOOK]
    assert engine.hook_calls(meta.batch_id) == 1


def test_unwritable_out_still_prints_the_report_first(engine: Engine, tmp_path: Path) -> None:
    engine.start_worker()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok-a.txt").write_text("x")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a parent folder should be")
    out = str(blocker / "out")
    proc = cli("run", str(folder), "--broker", engine.broker, "--wait", "--json", "--out", out,
               env=engine.env())
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["counts"]["succeeded"] == 1
    assert "writing" in proc.stderr and "Traceback" not in proc.stderr


def test_losing_redis_mid_command_is_one_plain_line() -> None:
    import click
    import redis
    from click.testing import CliRunner

    from core.cli import PlainErrorsGroup

    @click.group(cls=PlainErrorsGroup)
    def group() -> None: ...

    @group.command()
    def boom() -> None:
        raise redis.ConnectionError("Error 111 connecting to redis://:pw@h:1/0. Connection refused.")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1
    assert "error: lost the connection to Redis" in result.output and "pw@" not in result.output


def test_run_uses_the_limits_and_deadline_from_settings(engine: Engine, tmp_path: Path) -> None:
    from core.config import save_section

    save_section("engine", {"local_workers": 1, "soft_time_limit": 3, "time_limit": 5, "deadline": 0})
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok-a.txt").write_text("x")
    proc = cli("run", str(folder), "--broker", engine.broker, "--json", env=engine.env())
    assert proc.returncode == 0, proc.stderr
    found = engine.client.batch(json.loads(proc.stdout)["batch_id"])
    assert found is not None
    meta, _ = found
    assert (meta.soft_time_limit, meta.time_limit, meta.deadline_at) == (3.0, 5.0, None)
    proc = cli("run", str(folder), "--broker", engine.broker, "--json", "--time-limit", "6",
               "--deadline", "60", env=engine.env())
    meta, _ = engine.client.batch(json.loads(proc.stdout)["batch_id"]) or (None, None)
    assert meta is not None and meta.time_limit == 6.0 and meta.deadline_at is not None
