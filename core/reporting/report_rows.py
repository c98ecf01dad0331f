"""A final report's contracts as rows the summary can count on, read defensively: processors other than the
built-in analyser return other dicts, engines may leave fields out, and a hand-edited ``--report-file`` may
contain anything. A field missing or of the wrong type is "not known", never an error; text is printable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from core.outcome import ALL_OUTCOMES, Outcome
from core.printable import printable

# ISO 4217's code for "no currency": used when a value has an amount but no currency, rather than guessing.
NO_CURRENCY = "XXX"
_NO_RESULT: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ContractRow:
    """One contract as exports show it, with the analysis fields already parsed."""

    index: int
    name: str
    outcome: str
    error: str | None
    attempts: int | None
    runtime_s: float | None
    worker: str | None
    task_id: str | None
    # {} unless succeeded with a dict result, and {} when read with keep_result=False: the summary needs
    # only the fields below, and 100,000 parsed results were most of a gigabyte.
    result: Mapping[str, Any]
    title: str | None
    contract_type: str | None
    expiration: date | None
    value_amount: float | None
    value_currency: str | None
    parties: tuple[str, ...]
    governing_law: str | None
    risk_flags: tuple[str, ...]



def text_value(value: Any) -> str | None:
    """Text of the report as every export shows it: file names and extracted text can hold bytes that
    are not UTF-8 and control characters, which CSV, PDF and email writers refuse or render as rows."""
    if value is None:
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    # Almost every value is already printable: a million of them per 100,000 contracts, so the check that
    # needs no copy comes first.
    if not text.isprintable():
        text = printable(text)
    return text or None


def _lines(value: Any) -> str | None:
    """Like ``_text``, for errors: their lines stay lines (the first names the failure)."""
    if value is None:
        return None
    text = "\n".join(printable(line) for line in str(value).strip().split("\n"))
    return text or None


def _number(value: Any) -> float | None:
    # bool is an int subclass; "true" is not an amount.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def parse_date(value: Any) -> date | None:
    """An ISO date (or the date part of an ISO datetime); None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The format says UTC; a naive timestamp from a hand-made file is read as UTC too.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(t for t in (text_value(v) for v in value) if t)


def read_row(index: int, raw: Any, *, keep_result: bool = True) -> ContractRow:
    entry: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    raw_outcome = text_value(entry.get("outcome"))
    # Anything but the six outcomes means "we do not know what happened": that is what "lost" says.
    outcome = raw_outcome if raw_outcome in ALL_OUTCOMES else Outcome.LOST.value
    error = _lines(entry.get("error"))
    if raw_outcome and raw_outcome != outcome and not error:
        error = f"unknown outcome {raw_outcome!r} in the report"
    result_raw = entry.get("result")
    result: Mapping[str, Any] = (
        result_raw if outcome == Outcome.SUCCEEDED and isinstance(result_raw, Mapping) else {}
    )
    value = result.get("value")
    amount = currency = None
    if isinstance(value, Mapping):
        amount = _number(value.get("amount"))
        if amount is not None:
            currency = (text_value(value.get("currency")) or NO_CURRENCY).upper()
    attempts = entry.get("attempts")
    return ContractRow(
        index=index,
        name=text_value(entry.get("name")) or f"#{index + 1}",
        outcome=outcome,
        error=error,
        attempts=attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None,
        runtime_s=_number(entry.get("runtime_s")),
        worker=text_value(entry.get("worker")),
        task_id=text_value(entry.get("task_id")),
        result=result if keep_result else _NO_RESULT,
        title=text_value(result.get("title")),
        contract_type=text_value(result.get("contract_type")),
        expiration=parse_date(result.get("expiration_date")),
        value_amount=amount,
        value_currency=currency,
        parties=_string_list(result.get("parties")),
        governing_law=text_value(result.get("governing_law")),
        risk_flags=_string_list(result.get("risk_flags")),
    )


