"""Reading a saved final report (``--report-file``): for users exporting a report they kept, and for tests.

Reports of running systems come from the engine: ``core.engine.client.BatchClient(url).report(batch_id)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ReportNotFound(Exception):
    pass


def load_report_file(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """The report and the file's bytes (used to name the local send record of id-less reports)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReportNotFound(f"cannot read report file {path}: {exc.strerror or exc}") from None
    return parse_report(data, f"report file {path}"), data


def parse_report(raw: bytes | str, what: str = "the report") -> dict[str, Any]:
    try:
        report = json.loads(raw)
    except ValueError as exc:
        raise ReportNotFound(f"{what} is not valid JSON ({exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("contracts", []), list):
        raise ReportNotFound(f"{what} is not a final report (a JSON object with a 'contracts' list)")
    return report
