"""``contract-batch analyze`` and ``contract-batch demo``: exit codes and output shapes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from core.cli import main

from .conftest import CONTRACT_TEXT, SAMPLES


def test_analyze_json_lists_every_item(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(CONTRACT_TEXT)
    (tmp_path / "b.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["analyze", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["name"] for r in records] == ["a.txt", "b.txt"]
    assert set(records[0]) == {"name", "outcome", "error", "result"}
    assert records[0]["outcome"] == "succeeded" and records[0]["result"]["governing_law"] == "New York"
    assert records[1] == {"name": "b.txt", "outcome": "rejected", "error": "empty file", "result": None}


def test_analyze_human_output_shows_evidence() -> None:
    result = CliRunner().invoke(main, ["analyze", str(SAMPLES / "contract-003.txt")])
    assert result.exit_code == 0
    assert "governing_law" in result.output and "evidence governing_law:" in result.output


def test_analyze_without_files_is_usage_error(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["analyze"]).exit_code == 2
    assert CliRunner().invoke(main, ["analyze", str(tmp_path / "missing.pdf")]).exit_code == 2
    assert CliRunner().invoke(main, ["analyze", str(tmp_path)]).exit_code == 2  # empty folder
    (tmp_path / "a.txt").write_text(CONTRACT_TEXT)
    mixed = CliRunner().invoke(
        main, ["analyze", str(tmp_path / "a.txt"), str(tmp_path / "gone.txt"), "--json"]
    )
    assert mixed.exit_code == 0
    assert [r["outcome"] for r in json.loads(mixed.output)] == ["succeeded", "rejected"]


def test_analyze_only_rejected_files_still_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "x.rtf").write_text("{\\rtf1}")
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "x.rtf"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["outcome"] == "rejected"


def test_demo_is_reproducible(tmp_path: Path) -> None:
    runner = CliRunner()
    for out in ("one", "two"):
        result = runner.invoke(main, ["demo", "--count", "9", "--out", str(tmp_path / out), "--seed", "5"])
        assert result.exit_code == 0, result.output
    first = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in (
        "contract-003.txt",
        "contracts.csv",
        "contracts.json",
        ".answers.json",
        "contract-001.pdf",
        "contract-002.docx",
    ):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    suffixes = {p.suffix for p in (tmp_path / "one").iterdir()}
    assert suffixes >= {".pdf", ".docx", ".txt", ".html", ".md", ".json", ".csv", ".rtf"}


def test_worker_side_rejections_reported_per_file(
    tmp_path: Path, encrypted_pdf: bytes, scanned_pdf: bytes, text_docx: bytes
) -> None:
    from core.cli.analysis_commands import analyze_items

    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf)
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf)
    (tmp_path / "utf16.txt").write_bytes(CONTRACT_TEXT.encode("utf-16"))
    (tmp_path / "word.docx").write_bytes(text_docx)
    records = {r["name"]: r for r in analyze_items([str(tmp_path)])}
    assert records["locked.pdf"]["error"] == "encrypted or password-protected PDF"
    assert records["scan.pdf"]["error"] == "no text layer (scanned PDF; OCR not supported)"
    assert records["utf16.txt"]["outcome"] == "succeeded"
    assert records["word.docx"]["result"]["parties"] == ["Acme Widgets, Inc.", "Globex Services LLC"]
