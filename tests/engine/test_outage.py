"""Redis stopped, or killed, in the middle of a batch (append-only file on) while a client waits: an outage
of seconds is not the contracts' failure, and the waiting client keeps waiting, saying so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.engine.client import BatchClient
from core.engine.settings import EngineSettings
from core.local.server import RedisServer, free_port
from tests.conftest import ROOT
from tests.engine.conftest import FAST_ENV, Engine, wait_for

pytestmark = pytest.mark.slow


class RestartableRedis:
    """A server on a fixed port and data folder, so it comes back where clients expect it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.server = self._start()

    def _start(self) -> RedisServer:
        return RedisServer(data_dir=self.folder, port=self.port, appendonly=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, kill: bool = False) -> None:
        proc = self.server.process
        assert proc is not None
        if kill:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        else:
            self.server.stop()

    def start(self) -> None:
        self.server = self._start()


@pytest.fixture
def outage_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, RestartableRedis]]:
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)
    redis_server = RestartableRedis(tmp_path / "redis")
    markers = tmp_path / "markers"
    markers.mkdir()
    client = BatchClient(redis_server.url, EngineSettings.from_env())
    engine = Engine(redis_server.url, tmp_path, client, markers, tmp_path / "hooks.log")
    try:
        yield engine, redis_server
    finally:
        for worker in engine.workers:
            worker.kill_all()
        client.close()
        redis_server.server.stop()


@pytest.mark.parametrize("kill", [False, True], ids=["stopped", "killed"])
def test_a_redis_outage_mid_batch_loses_and_fails_nothing(
    outage_engine: tuple[Engine, RestartableRedis], kill: bool
) -> None:
    engine, server = outage_engine
    engine.start_worker(concurrency=2)
    names = [f"slow2-{i}.txt" for i in range(6)]
    files = engine.files(*names)
    waiting = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "run", *map(str, files), "--broker", server.url, "--wait",
         "--json"],
        cwd=ROOT, env=engine.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(list(engine.markers.glob("ran-slow2-*"))) >= 2, timeout=60,
                 what="the first contracts to run")
        server.stop(kill=kill)
        # Down for a few seconds while contracts finish and the client polls. The outage's length is what
        # is tested here, not a wait for some state: hence a plain sleep.
        time.sleep(5)
        if waiting.poll() is not None:
            pytest.fail(f"the waiting client gave up during the outage: {waiting.communicate()[1]}")
        server.start()
        out, err = waiting.communicate(timeout=180)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0, err
    assert "unreachable" in err and "Redis is back" in err, err
    report = json.loads(out)
    rows = {c["name"]: c for c in report["contracts"]}
    assert sorted(rows) == sorted(names)  # every contract once
    assert all(r["outcome"] == "succeeded" for r in rows.values()), {
        n: (r["outcome"], r["error"]) for n, r in rows.items()}
    assert not any("ConnectionError" in (r["error"] or "") for r in rows.values())
    assert os.path.exists(server.folder / "appendonlydir")


def test_the_soft_limit_stays_off_from_the_analysis_end_until_the_result_is_stored() -> None:
    """What replaced a PING per contract: no soft limit while Celery's retries store the result, and the
    pool process's own handler back for the next contract (task_postrun)."""
    from celery.signals import task_postrun

    import core.engine.tasks  # noqa: F401 - connects the task_postrun handler
    from core.engine.outage import defer_soft_limit_until_postrun

    def billiards_handler(signum: int, frame: object) -> None:
        raise AssertionError("not called")

    previous = signal.signal(signal.SIGUSR1, billiards_handler)
    try:
        defer_soft_limit_until_postrun()
        assert signal.getsignal(signal.SIGUSR1) is signal.SIG_IGN
        task_postrun.send(sender=None, task_id="x", retval=None, state="SUCCESS")
        assert signal.getsignal(signal.SIGUSR1) is billiards_handler
        task_postrun.send(sender=None, task_id="y", retval=None, state="SUCCESS")
        assert signal.getsignal(signal.SIGUSR1) is billiards_handler  # nothing put aside: left alone
    finally:
        signal.signal(signal.SIGUSR1, previous)
