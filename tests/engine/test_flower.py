"""Flower watches our workers (events on) and its revoke reaches our tasks: Celery's conventions kept."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from core.local.server import free_port
from tests.conftest import ROOT
from tests.engine.conftest import Engine, by_name, wait_for


def _get(url: str, method: str = "GET") -> Any:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as resp:
            return json.loads(resp.read() or b"null")
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return None


@pytest.fixture
def flower(engine: Engine) -> Iterator[str]:
    port = free_port()
    env = engine.env({"CONTRACT_BATCH_BROKER": engine.broker, "FLOWER_UNAUTHENTICATED_API": "true"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "core.celery_app", "flower", f"--port={port}",
         "--address=127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(engine.tmp / "flower.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is not None or _get(f"{base}/api/workers") is not None, timeout=60,
                 what="Flower to answer")
        assert proc.poll() is None, (engine.tmp / "flower.log").read_text()
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_flower_sees_workers_and_tasks_and_its_revoke_works(engine: Engine, flower: str) -> None:
    worker = engine.start_worker(concurrency=1)
    meta = engine.launch("slow30-a.txt", "ok-b.txt")
    ids = {e.name: e.task_id for e in engine.client.entries(meta.batch_id)}
    wait_for(lambda: worker.name in (_get(f"{flower}/api/workers?refresh=1") or {}), timeout=60,
             what="Flower to list our worker")
    wait_for(lambda: (_get(f"{flower}/api/task/info/{ids['slow30-a.txt']}") or {}).get("state") == "STARTED",
             timeout=60, what="Flower to see the task started (task events)")
    # Terminate it through Flower's own API, as a user would from its UI.
    assert _get(f"{flower}/api/task/revoke/{ids['slow30-a.txt']}?terminate=true", method="POST") is not None
    report = engine.report(meta.batch_id, timeout=60)
    rows = by_name(report)
    assert rows["slow30-a.txt"]["outcome"] == "revoked"
    assert rows["ok-b.txt"]["outcome"] == "succeeded"
    info = wait_for(lambda: _get(f"{flower}/api/task/info/{ids['ok-b.txt']}"), timeout=30)
    assert info["name"] == "contract_batch.process" and info["state"] == "SUCCESS"
    # Monitoring shows which contract a task is, never its content (the base64 document of old).
    assert "ok-b.txt" in info["args"] and len(info["args"]) < 200, info["args"]
    assert "contract ok-b.txt" not in info["args"] and "Y29udHJhY3Q" not in info["args"]
    assert len(info.get("result") or "") <= 60 and "size" not in (info.get("result") or ""), info["result"]
