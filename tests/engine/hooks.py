"""Report hooks for the tests: one appends the batch id to a file per call, one always raises."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def count(report: dict[str, Any]) -> None:
    with Path(os.environ["CB_TEST_HOOK_LOG"]).open("a") as fh:
        fh.write(report["batch_id"] + "\n")


def boom(report: dict[str, Any]) -> None:
    raise RuntimeError("this hook always fails")


def calls(log: Path, batch_id: str) -> int:
    return log.read_text().split().count(batch_id) if log.exists() else 0
