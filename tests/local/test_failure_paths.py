"""Plugins load from their folder; no local process is left behind when a command or the window fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil

from core.local.mode import LocalMode
from core.version import version
from tests.conftest import ROOT
from tests.engine.test_cli import cli


def _ours(base: Path) -> list[psutil.Process]:
    """Processes (a server, workers) whose command line names this test's local-mode folder."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if str(base) in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _local_base() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "contract-batch-manager" / "local"


def test_a_processor_from_the_plugin_folder(tmp_path: Path) -> None:
    plugins = tmp_path / "my plugins"
    plugins.mkdir()
    (plugins / "stamp_plugin.py").write_text(
        "def process(contract):\n    return {'stamped': contract.name, 'bytes': len(contract.data)}\n"
    )
    contract = tmp_path / "in" / "a.txt"
    contract.parent.mkdir()
    contract.write_text("This Agreement is made between A and B.")
    env = {**os.environ, "CONTRACT_BATCH_PLUGIN_PATH": str(plugins),
           "CONTRACT_BATCH_PROCESSOR": "stamp_plugin:process"}
    proc = cli("run", str(contract), "--wait", "--json", env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr
    [row] = json.loads(proc.stdout)["contracts"]
    assert row["result"] == {"stamped": "a.txt", "bytes": contract.stat().st_size}
    assert not _ours(_local_base())


def test_run_wait_whose_local_worker_dies_stops_what_it_started(tmp_path: Path) -> None:
    contract = tmp_path / "a.txt"
    contract.write_text("This Agreement is made between A and B.")
    # The worker refuses a processor it cannot load and exits; run --wait notices and fails.
    env = {**os.environ, "CONTRACT_BATCH_PROCESSOR": "nosuchmodule:process"}
    proc = cli("run", str(contract), "--wait", env=env, timeout=180)
    assert proc.returncode == 1 and "the local worker stopped" in proc.stderr, proc.stderr
    assert not LocalMode(_local_base()).redis_alive()
    assert not _ours(_local_base()), "local mode was left running after the failure"


def test_startup_time_starts_no_service(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gui", "--startup-time"], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0 and "window usable after" in proc.stdout, proc.stderr
    assert not _ours(_local_base()) and not (_local_base() / "redis.pids").exists()


def test_every_face_says_the_same_version() -> None:
    gui = subprocess.run([sys.executable, "-m", "gui", "--version"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                         check=False)
    assert gui.stdout.strip() == f"contract-batch-gui {version()}"
    assert cli("--version").stdout.strip() == f"contract-batch, version {version()}"
    from importlib import metadata

    assert version() == metadata.version("contract-batch-manager")


def test_every_folder_the_product_writes_is_private(tmp_path: Path) -> None:
    contract = tmp_path / "a.txt"
    contract.write_text("This Agreement is made between A and B.")
    assert cli("run", str(contract), "--wait", timeout=180).returncode == 0
    roots = [Path(os.environ[v]) / "contract-batch-manager" for v in ("XDG_DATA_HOME", "XDG_CONFIG_HOME")]
    roots = [r for r in roots if r.exists()]
    assert roots
    for root in roots:
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
            assert folder.stat().st_mode & 0o077 == 0, f"{folder} is readable by others"
