"""Files that hold many contracts are read as a stream, within a bounded memory, and refused past the
documented limit; a batch past its limit is refused before anything is written; a big batch says its id
before it is sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cli import main, run_command
from core.contracts.loader import MAX_ENTRIES_ENV, load_file
from core.contracts.tabular import _json_list_entries
from tests.conftest import ROOT


def _csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("title,counterparty,value\n")
        fh.writelines(f"Supply {i},Acme {i} Inc,{i}\n" for i in range(rows))
    return path


def _json_list(path: Path, entries: int) -> Path:
    path.write_text(json.dumps([{"title": f"T{i}", "counterparty": f"C{i}"} for i in range(entries)]))
    return path


@pytest.mark.parametrize("make", [_csv, _json_list], ids=["csv", "json"])
def test_up_to_the_limit_loads_one_more_refuses_the_file(
    make: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_ENTRIES_ENV, "50")
    suffix = ".csv" if make is _csv else ".json"
    at_limit = load_file(make(tmp_path / f"fifty{suffix}", 50))  # type: ignore[operator]
    assert len(at_limit) == 50 and not any(hasattr(i, "reason") for i in at_limit)
    [refused] = load_file(make(tmp_path / f"fifty-one{suffix}", 51))  # type: ignore[operator]
    assert "more than 50" in refused.reason and MAX_ENTRIES_ENV in refused.reason


def test_a_million_rows_are_refused_within_a_bounded_memory(tmp_path: Path) -> None:
    """The issue's file: 17.8 MB of CSV, 1,000,000 rows (under the 25 MB file limit)."""
    big = tmp_path / "rows.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("title,counterparty,value\n")
        i = 0
        while fh.tell() < 17_800_000:
            fh.write(f"Supply {i},Acme {i} Inc,{i}\n")
            i += 1
    # The peak of this process's own memory (VmHWM), not getrusage's ru_maxrss: Linux carries that across
    # exec, so it reported the peak of the test run that started the child (447 MB in CI, 165 MB here).
    code = (
        "import re, sys; from pathlib import Path; from core.contracts.loader import load_file; "
        "items = load_file(Path(sys.argv[1])); "
        "print(len(items), items[0].reason, "
        "re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(big)], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=300).stdout.split(" ")
    assert out[0] == "1" and "more than 100,000 rows" in " ".join(out[1:-1])
    peak_mb = int(out[-1]) / 1024
    assert peak_mb < 400, f"{peak_mb:.0f} MB to refuse a 17.8 MB file"  # was 5.7 GB to load it all


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=10), max_size=3),
                max_size=20), st.sampled_from(["", " ", "\n", "\t "]))
def test_streamed_json_lists_read_as_json_reads_them(entries: list[dict[str, object]], space: str) -> None:
    text = json.dumps(entries, separators=("," + space, ":" + space))
    assert list(_json_list_entries(space + text + space)) == json.loads(text)


@pytest.mark.parametrize("text", ['[{"a": 1} {"b": 2}]', '[{"a": 1},]', '[{"a": 1}] x', '[{"a": 1}'])
def test_a_malformed_json_list_is_refused(text: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    [refused] = load_file(path)
    assert refused.reason.startswith("corrupt JSON"), refused.reason


def test_a_batch_past_its_limit_is_refused_before_anything_is_written(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    monkeypatch.setenv("CONTRACT_BATCH_MAX_BATCH", "5")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"c{i}.txt").write_text("This Agreement is made between A and B.")
    result = CliRunner().invoke(main, ["run", str(folder), "--broker", redis_url])
    assert result.exit_code == 2 and "6 contracts in one batch; the limit is 5" in result.output
    assert redis.Redis.from_url(redis_url).keys("contract_batch:*") == []


def test_a_big_batch_says_its_id_before_it_is_sent(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_command, "EARLY_ID_FROM", 3)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"c{i}.txt").write_text("This Agreement is made between A and B.")
    result = CliRunner().invoke(main, ["run", str(folder), "--broker", redis_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    batch_id = lines[-1]
    assert f"batch {batch_id}: sending 3 contracts" in lines[0]
    assert os.environ.get("CONTRACT_BATCH_MAX_BATCH") is None
