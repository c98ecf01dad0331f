"""``contracts.csv``: one row per contract, every outcome field and every analysis field, in the words the
PDF and the email use ("Timed out", "Expires within 90 days", "Contract value").

Choices (see ``docs/reports-and-email.md``):
- UTF-8 with a byte-order mark, so Excel (the managers' tool) shows accented party names correctly while
  every other CSV reader still gets plain UTF-8;
- dates stay ISO ``YYYY-MM-DD``: every spreadsheet reads them as dates and sorts them, which "Jul 11,
  2006" would not allow; amounts stay numbers (a column to sum) with their currency beside them;
- lists joined with "; ", evidence as "Field: passage" lines, result keys we do not know under their own
  name in "Other fields", booleans as Yes/No;
- text cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) are prefixed
  with an apostrophe: contract names and extracted text come from untrusted documents (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, BinaryIO

from core.reporting.fields import evidence_passages, field_label, risk_label
from core.reporting.summary import ANALYSIS_FIELDS, ContractRow, Summary
from core.reporting.wording import outcome_label

# (header, what it holds): the outcome of the run first, then the analysis fields in the report's order.
OUTCOME_COLUMNS: tuple[str, ...] = ("Contract", "Outcome", "Reason", "Tries", "Runtime (s)", "Worker",
                                    "Task id")
_SPLIT_VALUE = ("Contract value", "Currency")
ANALYSIS_COLUMNS: tuple[str, ...] = tuple(
    c for f in ANALYSIS_FIELDS
    for c in (_SPLIT_VALUE if f == "value" else ("Evidence",) if f == "evidence" else (field_label(f),))
)
COLUMNS: tuple[str, ...] = (*OUTCOME_COLUMNS, *ANALYSIS_COLUMNS, "Other fields")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return _safe_text("; ".join(str(_cell(v)) for v in value))
    if isinstance(value, dict):
        return _safe_text("; ".join(f"{field_label(str(k))}: {_cell(v)}" for k, v in value.items()))
    return _safe_text(str(value))


def _field_cell(key: str, value: Any) -> str | int | float:
    if key == "risk_flags" and isinstance(value, list):
        return _cell([risk_label(str(f)) for f in value])
    if key == "contract_type" and isinstance(value, str):
        return _cell(value[:1].upper() + value[1:])
    return _cell(value)


def row_cells(row: ContractRow) -> list[str | int | float]:
    result = row.result
    value = result.get("value")
    cells: list[str | int | float] = [
        _cell(row.name),
        _cell(outcome_label(row.outcome)),
        _cell(row.error),
        _cell(row.attempts),
        _cell(row.runtime_s),
        _cell(row.worker),
        _cell(row.task_id),
    ]
    for key in ANALYSIS_FIELDS:
        if key == "value":
            cells.append(_cell(row.value_amount))
            cells.append(_cell(row.value_currency if row.value_amount is not None else None))
        elif key == "evidence":
            cells.append(_safe_text("\n".join(f"{', '.join(p.labels)}: {p.text}"
                                               for p in evidence_passages(result))))
        else:
            cells.append(_field_cell(key, result.get(key)))
    other = {k: v for k, v in result.items() if k not in ANALYSIS_FIELDS}
    if value is not None and not isinstance(value, dict):
        other["value"] = value  # a value we could not read as {amount, currency}: keep it visible
    cells.append(_cell(other) if other else "")
    return cells


def write_csv(rows: Iterable[ContractRow], out: io.TextIOBase | Any) -> None:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(COLUMNS)
    writer.writerows(row_cells(r) for r in rows)


def write_csv_to(rows: Iterable[ContractRow], binary: BinaryIO) -> None:
    """The same bytes as ``csv_bytes``, written as the rows come (an export of 100,000 contracts is
    125 MB of CSV: never held whole)."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        write_csv(rows, text)
    finally:
        text.detach()  # the caller owns the file


def csv_bytes(summary: Summary) -> bytes:
    buffer = io.StringIO()
    write_csv(summary.rows, buffer)
    return buffer.getvalue().encode("utf-8-sig")
