"""Local mode's portable paths, forced on Linux: loopback TCP with a keyring password (where there are no
unix sockets), Celery's threads pool (where processes cannot fork); and what an upgrade does to the
workers a previous installation started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import psutil
import pytest
import redis

from core.contracts.loader import load_paths
from core.engine.client import BatchClient
from core.local import mode as local_mode
from core.local.mode import TRANSPORT_ENV, LocalMode
from core.local.processes import ProcessRecord
from tests.conftest import ROOT
from tests.engine.conftest import contract_files, wait_for

SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture
def real_keyring(secret_service: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """gnome-keyring over the suite's private D-Bus session, for this process and the workers it starts."""
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _cmdlines(records: list[ProcessRecord]) -> list[str]:
    found = []
    for record in records:
        proc = psutil.Process(record.pid)
        for p in [proc, *proc.children(recursive=True)]:
            try:
                found.append(" ".join(p.cmdline()))
            except psutil.Error:
                continue
    return found


def test_loopback_tcp_keeps_its_password_in_the_keyring_only(
    real_keyring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRANSPORT_ENV, "tcp")
    monkeypatch.setenv("CONTRACT_BATCH_POOL", "threads")  # Windows has both: tested together
    local = LocalMode(tmp_path / "local")
    assert local.transport == "tcp"
    try:
        started = local.ensure_running(concurrency=2)
        assert started.redis and started.workers
        password = local.password()
        assert len(password) >= 32
        # Not on any command line (every user can read those), in no file local mode wrote.
        for cmdline in _cmdlines(local.records("redis") + local.records("workers")):
            assert password not in cmdline, cmdline
        for path in local.base.rglob("*"):
            if path.is_file() and not path.is_socket():
                assert password.encode() not in path.read_bytes(), path
        port = int(local.url.rsplit(":", 1)[1].split("/")[0])
        anonymous = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
        with pytest.raises(redis.AuthenticationError):
            anonymous.ping()
        anonymous.close()

        client = BatchClient(local.url)
        try:
            wait_for(lambda: client.workers(timeout=0.5), timeout=60, what="the local worker")
            stats = client.app.control.inspect(timeout=5).stats() or {}
            pools = [str(s.get("pool", {}).get("implementation")) for s in stats.values()]
            assert any("thread" in pool for pool in pools), stats
            items = load_paths([SAMPLES / "contract-003.txt", SAMPLES / "contract-004.html",
                                SAMPLES / "broken-empty.txt"]).items
            meta = client.launch(items, label="tcp")
            report = client.wait_report(meta.batch_id, timeout=120, poll=0.2)
        finally:
            client.close()
        outcomes = {c["name"]: c["outcome"] for c in report["contracts"]}
        assert outcomes == {"contract-003.txt": "succeeded", "contract-004.html": "succeeded",
                            "broken-empty.txt": "rejected"}
    finally:
        local.stop()
    assert not local.redis_alive() and not local.worker_pids()


def test_an_upgrade_restarts_the_previous_installations_workers_gracefully(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("CONTRACT_BATCH_PROCESSOR", "tests.engine.processors:process")
    monkeypatch.setenv("CB_TEST_MARKER_DIR", str(markers))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    local = LocalMode(tmp_path / "local")
    try:
        local.ensure_running(concurrency=1)
        [old] = local.records("workers")
        client = BatchClient(local.url)
        try:
            wait_for(lambda: client.workers(timeout=0.5), timeout=60, what="version N's worker")
            files = contract_files(tmp_path / "contracts", "slow3-running.txt")
            running = client.launch(load_paths(files).items, label="running during the upgrade")
            wait_for(lambda: any(markers.glob("ran-slow3-*")), timeout=60, what="the contract to start")

            monkeypatch.setattr(local_mode, "build_id", lambda: "9.9.9+upgraded")
            started = local.ensure_running(concurrency=1)

            assert started.workers and started.worker_pids[0] != old.pid
            assert not old.alive(), "version N's worker was left running beside the new one"
            [new] = local.records("workers")
            assert new.build == "9.9.9+upgraded"
            # The contract it was running finished there (warm shutdown), it was not lost or re-run.
            report = client.wait_report(running.batch_id, timeout=60, poll=0.2)
            [contract] = report["contracts"]
            assert contract["outcome"] == "succeeded" and contract["worker"].startswith(f"cb{old.pid}@")
            # The next batch runs on the new worker.
            files = contract_files(tmp_path / "contracts", "ok-after.txt")
            after = client.launch(load_paths(files).items, label="after the upgrade")
            [contract] = client.wait_report(after.batch_id, timeout=60, poll=0.2)["contracts"]
            assert contract["outcome"] == "succeeded" and contract["worker"].startswith(f"cb{new.pid}@")
        finally:
            client.close()
    finally:
        local.stop()


def test_files_local_mode_writes_are_private_and_its_log_holds_no_contract_data(tmp_path: Path) -> None:
    local = LocalMode(tmp_path / "local")
    try:
        local.ensure_running(concurrency=1)
        for folder in (local.base, local.logs, local.base / "redis", local.socket_path.parent):
            assert folder.stat().st_mode & 0o077 == 0, folder
        assert (local.logs / "worker.log").stat().st_mode & 0o077 == 0
        client = BatchClient(local.url)
        try:
            meta = client.launch(load_paths([SAMPLES / "contract-003.txt"]).items, label="private")
            [row] = client.wait_report(meta.batch_id, timeout=120, poll=0.2)["contracts"]
        finally:
            client.close()
    finally:
        local.stop()
    assert row["outcome"] == "succeeded" and row["result"]["parties"]
    log = (local.logs / "worker.log").read_text(errors="replace")
    assert "succeeded in" in log  # the task's line is there, without what it found
    for party in row["result"]["parties"]:
        assert party not in log, f"the worker log shows contract data: {party!r}"


def test_a_too_long_socket_path_uses_an_unguessable_folder_of_ours(tmp_path: Path) -> None:
    base = tmp_path / ("x" * 120) / "local"
    local = LocalMode(base)
    try:
        local.start_redis()
        run_dir = local.socket_path.parent
        assert not str(run_dir).startswith(str(base)) and run_dir.name.startswith("cbm-")
        assert len(run_dir.name) > len("cbm-") + 6  # random, not derived from the user or the path
        assert run_dir.stat().st_mode & 0o777 == 0o700
        assert LocalMode(base).socket_path == local.socket_path  # later commands find it
        assert local.redis_alive()
    finally:
        local.stop()


def test_a_recorded_socket_folder_that_someone_else_owns_is_refused(tmp_path: Path) -> None:
    import os

    from core.config import NotPrivate

    if os.getuid() != 0:
        pytest.skip("giving a folder to another user needs root (CI runs as root)")
    base = tmp_path / ("y" * 120) / "local"
    base.mkdir(parents=True)
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, 65534, 65534)
    (base / "run-dir").write_text(str(theirs))
    with pytest.raises(NotPrivate):
        LocalMode(base).start_redis()
