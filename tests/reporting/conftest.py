"""Fixtures of the reporting tests: reports of known content, and the bundle the exporter makes of them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.reporting.exporter import ReportBundle, build_bundle
from core.reporting.sample import synthetic_report

AS_OF = date(2026, 11, 23)


def small_report(n: int = 12, **kwargs: Any) -> dict[str, Any]:
    return synthetic_report(n, seed=7, today=AS_OF, failure_rate=0.3, label="Q4 suppliers", **kwargs)


@pytest.fixture(scope="session")
def report12() -> dict[str, Any]:
    return small_report()


@pytest.fixture(scope="session")
def bundle12(report12: dict[str, Any]) -> ReportBundle:
    # Rendering costs about a second: done once for every email test that only needs "a report".
    return build_bundle(report12, as_of=AS_OF)


# ------------------------------------------------------------------------------------------------ TLS


@pytest.fixture
def report_file(tmp_path: Path, report12: dict[str, Any]) -> Path:
    import json

    path = tmp_path / "report.json"
    path.write_text(json.dumps(report12), encoding="utf-8")
    return path
