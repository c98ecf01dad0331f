"""Real worker processes for the engine tests: started per test, killed at will, always cleaned up."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from core.engine.client import BatchClient
from core.engine.settings import EngineSettings
from tests.conftest import ROOT

# Short periods so that failure paths resolve in seconds, not in Celery's production minutes.
FAST_ENV = {
    "CONTRACT_BATCH_SWEEP_INTERVAL": "0.5",
    "CONTRACT_BATCH_RETRY_DELAY": "0.2",
    "CONTRACT_BATCH_FINALIZE_LEASE": "3",
    "CONTRACT_BATCH_VISIBILITY_TIMEOUT": "8",
    "CONTRACT_BATCH_RESTORE_INTERVAL": "1",
    "CONTRACT_BATCH_SOFT_TIME_LIMIT": "4",
    "CONTRACT_BATCH_TIME_LIMIT": "6",
}
PROCESSOR = "tests.engine.processors:process"
COUNT_HOOK = "tests.engine.hooks:count"


def wait_for(
    predicate: Callable[[], Any], timeout: float = 60.0, interval: float = 0.1, what: str = ""
) -> Any:
    """Poll until ``predicate()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


def contract_files(folder: Path, *names: str) -> list[Path]:
    """Small text contracts whose names carry the test processor's instructions."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / name
        path.write_text(f"contract {name}\n")
        paths.append(path)
    return paths


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def children(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill_all(self) -> None:
        """SIGKILL the worker and its pool, as a machine dying would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        self.kill_all()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Engine:
    """A test's view of the engine: its broker, its client, its workers and their side files."""

    broker: str
    tmp: Path
    client: BatchClient
    markers: Path
    hook_log: Path
    workers: list[Worker] = field(default_factory=list)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, **FAST_ENV, "CB_TEST_MARKER_DIR": str(self.markers),
               "CB_TEST_HOOK_LOG": str(self.hook_log), "PYTHONPATH": str(ROOT)}
        env.update(extra or {})
        return env

    def start_worker(
        self,
        concurrency: int = 2,
        hooks: tuple[str, ...] = (COUNT_HOOK,),
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> Worker:
        name = f"w{len(self.workers)}-{os.getpid()}@test"
        log = self.tmp / f"{name}.log"
        cmd = [sys.executable, "-m", "core.cli", "worker", "--broker", self.broker,
               "--concurrency", str(concurrency), "--processor", PROCESSOR, "--hostname", name,
               "--loglevel", "INFO"]
        for hook in hooks:
            cmd += ["--report-hook", hook]
        with log.open("wb") as fh:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(env), stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        worker = Worker(name, proc, log)
        self.workers.append(worker)
        if wait:
            wait_for(lambda: proc.poll() is not None or name in self.client.workers(timeout=0.5),
                     timeout=60, what=f"worker {name} to answer a ping")
            assert proc.poll() is None, worker.output()
        return worker

    def files(self, *names: str) -> list[Path]:
        return contract_files(self.tmp / "contracts", *names)

    def launch(self, *names: str, **options: Any) -> Any:
        from core.contracts.loader import load_paths

        return self.client.launch(load_paths(self.files(*names)).items, **options)

    def report(self, batch_id: str, timeout: float = 90.0) -> dict[str, Any]:
        return self.client.wait_report(batch_id, timeout=timeout, poll=0.1)

    def hook_calls(self, batch_id: str) -> int:
        from tests.engine.hooks import calls

        return calls(self.hook_log, batch_id)

    def wait_hooks_done(self, batch_id: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        return wait_for(lambda: self.client.hooks(batch_id), timeout=timeout, what="report hooks to run")


@pytest.fixture
def engine(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)
    markers = tmp_path / "markers"
    markers.mkdir()
    client = BatchClient(redis_url, EngineSettings.from_env())
    eng = Engine(redis_url, tmp_path, client, markers, tmp_path / "hooks.log")
    try:
        yield eng
    finally:
        for worker in eng.workers:
            # No graceful shutdown needed here: a warm one would wait for whatever still runs.
            worker.kill_all()
        client.close()


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    names = [c["name"] for c in report["contracts"]]
    assert len(names) == len(set(names)), "a contract appears twice in the report"
    return {c["name"]: c for c in report["contracts"]}


def make_ledger(r: Any, batch_id: str, task_ids: list[str]) -> None:
    """A frozen ledger of ``task_ids`` written straight to Redis (tests of the report step, no launch)."""
    from core.engine import ledger

    meta = ledger.BatchMeta(batch_id, "", "2026-01-01T00:00:00+00:00", time.time(), len(task_ids),
                            len(task_ids), 1, 2, None, 60)
    ledger.create_batch(r, meta, [ledger.Entry(t, t) for t in task_ids])
