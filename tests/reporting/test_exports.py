"""Exports: every file of ``--out DIR``, read back (PDF pages and text, CSV rows, HTML images)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pypdfium2
import redis
from click.testing import CliRunner

from core.cli import main
from core.reporting.charts import CHARTS
from core.reporting.csv_export import COLUMNS
from core.reporting.exporter import export_report
from core.reporting.sample import synthetic_report
from tests.reporting.conftest import AS_OF


def pdf_pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_file(report12: dict[str, Any], tmp_path: Path) -> None:
    paths = export_report(report12, tmp_path / "out", as_of=AS_OF)
    names = sorted(p.name for p in paths)
    expected = ["contracts.csv", "report.pdf", "summary.html", *(f"chart-{s.name}.png" for s in CHARTS)]
    assert names == sorted(expected)

    pages = pdf_pages(tmp_path / "out" / "report.pdf")
    # decisions and key figures, charts (6 on 3 pages), every contract that did not succeed, all contracts
    assert len(pages) == 6, [p[:60] for p in pages]
    first = pages[0]
    assert "Contract batch Q4 suppliers" in first and "Success rate" in first
    # What asks for a decision comes before the key figures, and no engine word reaches the reader.
    assert first.index("Need attention") < first.index("Risks to review") < first.index("Key figures")
    assert "finalized" not in first and "errback" not in first and "callback" not in first
    assert "Charts" in pages[1]
    failures = next(p for p in pages if "Every contract that did not succeed" in p)
    failed = [c for c in report12["contracts"] if c["outcome"] != "succeeded"]
    assert failed and all(c["name"] in failures for c in failed)
    assert all(c["error"] in failures for c in failed)
    assert "All contracts" in pages[-1]
    assert all(c["name"] in pages[-1] for c in report12["contracts"])

    rows = read_csv(tmp_path / "out" / "contracts.csv")
    assert len(rows) == 12
    assert list(rows[0]) == list(COLUMNS)
    words = {"succeeded": "Succeeded", "rejected": "Rejected", "failed": "Failed", "timed_out": "Timed out",
             "revoked": "Revoked", "lost": "Lost"}
    for row, contract in zip(rows, report12["contracts"], strict=True):
        assert row["Contract"] == contract["name"] and row["Outcome"] == words[contract["outcome"]]
        if contract["outcome"] == "succeeded":
            result = contract["result"]
            assert row["Title"] == result["title"]
            assert row["Parties"] == "; ".join(result["parties"])
            assert row["Expiration date"] == (result["expiration_date"] or "")  # ISO: sortable
            for field, passage in result["evidence"].items():
                assert passage in row["Evidence"], field
            assert "_" not in row["Risks"]
            if result["value"]:
                assert float(row["Contract value"]) == result["value"]["amount"]
        else:
            assert row["Reason"] == contract["error"] and row["Title"] == ""

    html = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    for spec in CHARTS:
        assert f'src="chart-{spec.name}.png"' in html
    assert html.index("Need attention") < html.index("Risks to review") < html.index("Key figures")
    assert "finalized" not in html


def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    report = {
        "batch_id": "f",
        "contracts": [
            {
                "name": '=HYPERLINK("http://x")',
                "outcome": "succeeded",
                "result": {"title": "+cmd", "value": {"amount": -5, "currency": "USD"}},
            },
        ],
    }
    export_report(report, tmp_path, as_of=AS_OF)
    [row] = read_csv(tmp_path / "contracts.csv")
    assert row["Contract"].startswith("'=") and row["Title"] == "'+cmd"
    assert row["Contract value"] == "-5.0"  # numbers stay numbers


def test_unicode_names_survive_pdf_and_csv(tmp_path: Path) -> None:
    report = {
        "batch_id": "u",
        "label": "Verträge Москва",
        "contracts": [{"name": "Kündigung-Москва.pdf", "outcome": "failed", "error": "ValueError: ü"}],
    }
    export_report(report, tmp_path, as_of=AS_OF)
    pages = pdf_pages(tmp_path / "report.pdf")
    assert "Verträge" in pages[0]
    assert any("Kündigung-Москва.pdf" in p for p in pages)
    assert read_csv(tmp_path / "contracts.csv")[0]["Contract"] == "Kündigung-Москва.pdf"


def test_cli_export_from_report_file(report_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--report-file", str(report_file), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "report.pdf").stat().st_size > 10_000
    assert len(read_csv(tmp_path / "o" / "contracts.csv")) == 12


def test_cli_export_from_redis(redis_url: str, report12: dict[str, Any], tmp_path: Path) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set(f"contract_batch:batch:{report12['batch_id']}:report", json.dumps(report12))
    client.close()
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", report12["batch_id"], "--broker", redis_url, "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert len(read_csv(tmp_path / "contracts.csv")) == 12

    missing = runner.invoke(main, ["export", "nosuchbatch", "--broker", redis_url, "--out", str(tmp_path)])
    assert missing.exit_code == 1
    assert "has no final report" in missing.output


def test_cli_export_usage_errors(tmp_path: Path, report_file: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["export", "--out", str(tmp_path)]).exit_code == 2
    wrong = runner.invoke(
        main, ["export", "other", "--report-file", str(report_file), "--out", str(tmp_path)]
    )
    assert wrong.exit_code == 2 and "not other" in wrong.output


def test_export_of_10000_contracts_takes_seconds(tmp_path: Path) -> None:
    report = synthetic_report(10_000, seed=11, today=AS_OF)
    started = time.perf_counter()
    export_report(report, tmp_path, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    # ~5 s on the 2-core dev machine (benchmarks/export_speed.py); generous for slow CI runners.
    assert elapsed < 30, f"export of 10,000 contracts took {elapsed:.1f} s"
    assert len(read_csv(tmp_path / "contracts.csv")) == 10_000
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    try:
        assert len(pdf) > 200  # the per-contract table really is in there
    finally:
        pdf.close()


def test_exports_are_documents_to_share_not_private_files(report12: dict[str, Any], tmp_path: Path) -> None:
    """A Save writes files with the user's usual permissions (666 less the umask), as any program does;
    the product's own settings and history stay private (tests/local/test_failure_paths.py)."""
    import os

    old = os.umask(0o022)
    try:
        paths = export_report(report12, tmp_path / "out", as_of=AS_OF)
    finally:
        os.umask(old)
    assert paths and all(p.stat().st_mode & 0o777 == 0o644 for p in paths), [
        oct(p.stat().st_mode) for p in paths]
    assert not list((tmp_path / "out").glob(".*.tmp"))  # no temporary file left behind
