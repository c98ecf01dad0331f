"""A report stored in parts is exported and printed a part at a time, with the same files and text as the
whole report gives (docs/performance.md, "Scale": at 100,000 contracts the whole report parsed was about
a gigabyte)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import redis
from click.testing import CliRunner

from core.cli import main
from core.cli.report_text import report_text
from core.engine import ledger, report_store
from core.reporting.exporter import export_report
from tests.reporting.conftest import AS_OF, small_report
from tests.reporting.test_exports import pdf_pages


def store_in_parts(r: redis.Redis, report: dict[str, Any]) -> str:
    """``report`` stored as the finalizer stores it (head, rows, parts), with a ledger to go with it."""
    batch_id = report["batch_id"]
    meta = ledger.BatchMeta(batch_id, report.get("label") or "", report["created_at"], time.time(),
                            len(report["contracts"]), len(report["contracts"]), 1, 2, None, 60)
    ledger.create_batch(r, meta, [ledger.Entry(c["name"], c["task_id"]) for c in report["contracts"]])
    head, rows = report_store.report_views(report)
    parts = ledger.batch_key(batch_id, report_store.PARTS)
    report_store.stage_parts(r, parts, report["contracts"], 3600)
    r.set(ledger.batch_key(batch_id, report_store.HEAD), json.dumps(head))
    r.set(ledger.batch_key(batch_id, report_store.ROWS), json.dumps(rows))
    assert r.llen(parts) == -(-len(report["contracts"]) // report_store.PART)
    return batch_id


def test_export_and_report_of_a_report_in_parts_match_the_whole_one(redis_url: str, tmp_path: Path) -> None:
    report = small_report(report_store.PART * 2 + 31)
    r = redis.Redis.from_url(redis_url)
    batch_id = store_in_parts(r, report)
    r.close()
    runner = CliRunner()

    streamed = runner.invoke(main, ["export", batch_id, "--broker", redis_url, "--as-of", AS_OF.isoformat(),
                                    "--out", str(tmp_path / "streamed")])
    assert streamed.exit_code == 0, streamed.output
    export_report(report, tmp_path / "whole", as_of=AS_OF)
    files = sorted(p.name for p in (tmp_path / "whole").iterdir())
    assert sorted(p.name for p in (tmp_path / "streamed").iterdir()) == files
    for name in files:
        a, b = tmp_path / "whole" / name, tmp_path / "streamed" / name
        if name.endswith(".pdf"):  # reportlab stamps each PDF with its time and an id
            assert pdf_pages(a) == pdf_pages(b)
        else:
            assert a.read_bytes() == b.read_bytes(), name

    as_json = runner.invoke(main, ["report", batch_id, "--broker", redis_url, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert as_json.output == json.dumps(report, indent=2) + "\n"
    text = runner.invoke(main, ["report", batch_id, "--broker", redis_url])
    assert text.exit_code == 0, text.output
    assert text.output == report_text(report, every_contract=True) + "\n"


def test_a_report_cut_short_in_redis_is_an_error_not_a_short_export(
    redis_url: str, tmp_path: Path
) -> None:
    report = small_report(report_store.PART + 1)
    r = redis.Redis.from_url(redis_url)
    batch_id = store_in_parts(r, report)
    # As if a part had gone (the parts expire together, and a read midway raises: test_report_store).
    r.lpop(ledger.batch_key(batch_id, report_store.PARTS))
    r.close()
    result = CliRunner().invoke(main, ["export", batch_id, "--broker", redis_url, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "is incomplete in Redis (1 of 501 contracts)" in result.output
    assert not (tmp_path / "contracts.csv").exists()
