"""The command line as its users expect it after ``run --wait`` in local mode: the batch is listed, and
``status``, ``report`` and ``export`` work without ``local start`` (the server comes up for the command
and goes again); messages for a typo'd folder and for Ctrl-C while loading."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.local.mode import LocalMode
from tests.engine.test_cli import cli
from tests.local.test_failure_paths import _local_base, _ours


def _contracts(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(3):
        path = folder / f"supply-{i}.txt"
        path.write_text(f"This Supply Agreement is made on March {i + 1}, 2024 between Acme Corp. and "
                        f"Globex Inc. It is governed by the laws of the State of New York.")
        paths.append(path)
    (folder / "empty.txt").write_text("")  # refused at load: counted as rejected everywhere
    return paths


def test_after_run_wait_every_read_command_works_without_local_start(tmp_path: Path) -> None:
    _contracts(tmp_path / "in")
    done = cli("run", str(tmp_path / "in"), "--wait", "--label", "after run", timeout=240)
    assert done.returncode == 0, done.stderr
    # The summary is the last thing printed; it names the command that lists every contract.
    assert "3 of 4 contracts succeeded; 1 needs attention." in done.stdout
    batch_id = done.stdout.split("Batch ", 1)[1].split()[0]
    assert not LocalMode(_local_base()).redis_alive()  # run --wait stopped what it started

    status = cli("status", batch_id, timeout=120)
    assert status.returncode == 0, status.stderr
    header = status.stdout.splitlines()[1].split()
    assert header == ["CONTRACT", "STATE", "TRIES", "REASON"]
    assert "Finished, 4 of 4 done, 3 succeeded, 1 needs attention" in status.stdout
    assert "Rejected" in status.stdout and "SUCCESS" not in status.stdout  # people's words, not Celery's

    report = cli("report", batch_id, "--json", timeout=120)
    assert report.returncode == 0 and json.loads(report.stdout)["batch_id"] == batch_id
    text = cli("report", batch_id, timeout=120).stdout.strip().splitlines()
    assert text[0].split() == ["CONTRACT", "OUTCOME", "TRIES", "RUNTIME", "REASON"]
    summary_at = next(i for i, line in enumerate(text) if line.startswith(f"Batch {batch_id}"))
    assert summary_at > max(i for i, line in enumerate(text) if "supply-" in line)  # the summary comes last

    export = cli("export", batch_id, "--out", str(tmp_path / "out"), timeout=180)
    assert export.returncode == 0, export.stderr
    assert (tmp_path / "out" / "report.pdf").stat().st_size > 0

    listed = cli("list", "--json", timeout=120)
    assert listed.returncode == 0, listed.stderr
    [row] = [r for r in json.loads(listed.stdout) if r["batch_id"] == batch_id]
    assert row["label"] == "after run" and row["state"] == "final"
    assert {k: row["counts"][k] for k in ("total", "succeeded", "need_attention", "unfinished")} == {
        "total": 4, "succeeded": 3, "need_attention": 1, "unfinished": 0}
    table = cli("list", "--limit", "1", timeout=120)
    assert table.returncode == 0 and batch_id in table.stdout and "after run" in table.stdout
    assert table.stdout.splitlines()[0].split()[:3] == ["STARTED", "BATCH", "ID"]
    # Each read started the server for itself and stopped it again: nothing is left running.
    assert not _ours(_local_base())


def test_a_typo_is_not_found_and_an_interrupted_load_launches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = cli("run", str(tmp_path / "contrcts"), timeout=60)
    assert typo.returncode == 2
    assert "not found" in typo.stderr and "unsupported" not in typo.stderr

    def interrupted(_paths: object) -> object:
        raise KeyboardInterrupt  # what Ctrl-C raises in the middle of reading a big folder

    monkeypatch.setattr("core.contracts.loader.load_paths", interrupted)
    result = CliRunner().invoke(main, ["run", str(tmp_path)])
    assert result.exit_code == 130
    assert "nothing was launched" in result.output
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "contract-batch-manager" / "local" / "redis").exists()
