"""``contract-batch-gui --self-test`` as installers and CI run it: its own local mode, the sample
contracts, the report and its charts, exit 0; and the entry point declared for it."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from tests.conftest import ROOT
from tests.gui.conftest import isolated_env


def test_self_test_runs_the_samples_to_their_report(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "gui", "--self-test", "--timeout", "180"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "PASSED" in proc.stderr
    assert "6 charts rendered" in proc.stderr
    # It stopped the local Redis and worker it started.
    pids = list((tmp_path / "xdg_data_home").rglob("*.pids"))
    assert pids and all(p.read_text() == "[]" for p in pids)


def test_self_test_fails_with_a_reason(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "gui", "--self-test", "--broker", "redis://127.0.0.1:1/0", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert "FAILED: cannot start or reach the broker" in proc.stderr


def test_gui_script_entry_point() -> None:
    scripts = {e.name: e.value for e in metadata.entry_points(group="gui_scripts")}
    assert scripts.get("contract-batch-gui") == "gui.__main__:main"
