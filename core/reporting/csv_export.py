"""``contracts.csv``: one row per contract, every outcome field and every analysis field.

Choices (see ``docs/reports-and-email.md``):
- UTF-8 with a byte-order mark, so Excel (the managers' tool) shows accented party names correctly while
  every other CSV reader still gets plain UTF-8;
- lists joined with "; ", ``evidence`` and any result keys we do not know as JSON, booleans as true/false;
- text cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) are prefixed
  with an apostrophe: contract names and extracted text come from untrusted documents (CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from core.reporting.summary import ANALYSIS_FIELDS, ContractRow, Summary

OUTCOME_COLUMNS: tuple[str, ...] = ("name", "outcome", "error", "attempts", "runtime_s", "worker", "task_id")
# "value" becomes two columns so spreadsheets can sum amounts; unknown result keys go to "other_result".
ANALYSIS_COLUMNS: tuple[str, ...] = tuple(
    c for f in ANALYSIS_FIELDS for c in (("value_amount", "value_currency") if f == "value" else (f,))
)
COLUMNS: tuple[str, ...] = (*OUTCOME_COLUMNS, *ANALYSIS_COLUMNS, "other_result")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return _safe_text("; ".join(str(_cell(v)) for v in value))
    if isinstance(value, dict):
        return _safe_text(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return _safe_text(str(value))


def row_cells(row: ContractRow) -> list[str | int | float]:
    result = row.result
    value = result.get("value")
    cells: list[str | int | float] = [
        _cell(row.name),
        _cell(row.outcome),
        _cell(row.error),
        _cell(row.attempts),
        _cell(row.runtime_s),
        _cell(row.worker),
        _cell(row.task_id),
    ]
    for column in ANALYSIS_COLUMNS:
        if column == "value_amount":
            cells.append(_cell(row.value_amount))
        elif column == "value_currency":
            cells.append(_cell(row.value_currency if row.value_amount is not None else None))
        else:
            cells.append(_cell(result.get(column)))
    other = {k: v for k, v in result.items() if k not in ANALYSIS_FIELDS}
    if value is not None and not isinstance(value, dict):
        other["value"] = value  # a value we could not read as {amount, currency}: keep it visible
    cells.append(_cell(other) if other else "")
    return cells


def write_csv(rows: Iterable[ContractRow], out: io.TextIOBase | Any) -> None:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(COLUMNS)
    writer.writerows(row_cells(r) for r in rows)


def csv_bytes(summary: Summary) -> bytes:
    buffer = io.StringIO()
    write_csv(summary.rows, buffer)
    return buffer.getvalue().encode("utf-8-sig")
