"""Key figures and aggregations of a final report (see ``docs/report-format.md``).

Everything here reads the report defensively: processors other than the built-in analyser return other
dicts, engines may leave fields out, and a hand-edited ``--report-file`` may contain anything. A field that
is missing or of the wrong type counts as "not known", never as an error.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.outcome import ALL_OUTCOMES, Outcome
from core.printable import printable

# The analysis fields of a succeeded contract's ``result``, in the order exports show them.
ANALYSIS_FIELDS: tuple[str, ...] = (
    "title",
    "contract_type",
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "term",
    "auto_renewal",
    "renewal_term",
    "notice_period_days",
    "governing_law",
    "value",
    "risk_flags",
    "evidence",
)

EXPIRY_WINDOWS: tuple[int, ...] = (30, 90, 365)
EXPIRY_MONTHS = 24
TOP_COUNTERPARTIES = 10
TOP_GOVERNING_LAWS = 10
OTHER = "other"
NOT_STATED = "(not stated)"
UNKNOWN_PARTY = "(unknown)"
# ISO 4217's code for "no currency": used when a value has an amount but no currency, rather than guessing.
NO_CURRENCY = "XXX"


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
    result: Mapping[str, Any]  # {} unless succeeded with a dict result
    expiration: date | None
    value_amount: float | None
    value_currency: str | None
    parties: tuple[str, ...]
    governing_law: str | None
    risk_flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FailureGroup:
    """Contracts that did not succeed for the same reason (numbers in the reason ignored)."""

    outcome: str
    reason: str
    count: int
    examples: tuple[str, ...]  # a few contract names, in report order


@dataclass(frozen=True, slots=True)
class RuntimeStats:
    count: int
    median_s: float | None
    p90_s: float | None
    max_s: float | None
    total_s: float


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything the charts, the PDF, the HTML body and the plain-text body say about one batch."""

    batch_id: str
    label: str
    created_at: datetime | None
    finished_at: datetime | None
    finalized_by: str
    as_of: date  # "expiring in the next N days" counts from this day
    total: int
    counts: Mapping[str, int]  # every outcome of ALL_OUTCOMES, in that order
    rows: tuple[ContractRow, ...]
    value_by_currency: Mapping[str, float]
    expiring_within: Mapping[int, int]  # days -> contracts expiring in [as_of, as_of + days]
    already_expired: int
    # Aggregations: lists of (label, number), largest first unless said otherwise.
    value_currency: str | None  # the currency value_by_counterparty is in (the batch's main one)
    value_by_counterparty: tuple[tuple[str, float], ...]
    value_other_currencies: int  # contracts with a value left out of value_by_counterparty
    home_party: str | None
    expirations_by_month: tuple[tuple[date, int], ...]  # EXPIRY_MONTHS months from as_of's month
    governing_law: tuple[tuple[str, int], ...]
    risk_flags: tuple[tuple[str, int], ...]
    runtimes: tuple[float, ...]
    runtime_stats: RuntimeStats
    failure_groups: tuple[FailureGroup, ...] = field(default=())

    @property
    def succeeded(self) -> int:
        return self.counts.get(Outcome.SUCCEEDED, 0)

    @property
    def need_attention(self) -> int:
        return self.total - self.succeeded

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.total if self.total else None

    @property
    def wall_time_s(self) -> float | None:
        if self.created_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.created_at).total_seconds())

    @property
    def display_label(self) -> str:
        """The label the user gave, else the batch id: what subjects and titles call the batch."""
        return self.label or self.batch_id or "(unnamed)"

    @property
    def not_succeeded_rows(self) -> tuple[ContractRow, ...]:
        return tuple(r for r in self.rows if r.outcome != Outcome.SUCCEEDED)


# ---------------------------------------------------------------------------------------------- parsing


def _text(value: Any) -> str | None:
    """Text of the report as every export shows it: file names and extracted text can hold bytes that
    are not UTF-8 and control characters, which CSV, PDF and email writers refuse or render as rows."""
    if value is None:
        return None
    text = printable(str(value).strip())
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
    return tuple(t for t in (_text(v) for v in value) if t)


def _row(index: int, raw: Any) -> ContractRow:
    entry: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    raw_outcome = _text(entry.get("outcome"))
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
            currency = (_text(value.get("currency")) or NO_CURRENCY).upper()
    attempts = entry.get("attempts")
    return ContractRow(
        index=index,
        name=_text(entry.get("name")) or f"#{index + 1}",
        outcome=outcome,
        error=error,
        attempts=attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None,
        runtime_s=_number(entry.get("runtime_s")),
        worker=_text(entry.get("worker")),
        task_id=_text(entry.get("task_id")),
        result=result,
        expiration=parse_date(result.get("expiration_date")),
        value_amount=amount,
        value_currency=currency,
        parties=_string_list(result.get("parties")),
        governing_law=_text(result.get("governing_law")),
        risk_flags=_string_list(result.get("risk_flags")),
    )


# ------------------------------------------------------------------------------------------ aggregating


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def _top(counter: Mapping[str, float], keep: int) -> tuple[tuple[str, float], ...]:
    """The ``keep`` largest entries and one "other" entry with the rest (ties broken by name)."""
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    head = ordered[:keep]
    rest = sum(v for _, v in ordered[keep:])
    if len(ordered) > keep:
        head.append((OTHER, rest))
    return tuple(head)


def _norm_party(name: str) -> str:
    return " ".join(name.casefold().split())


def _home_party(rows: Iterable[ContractRow]) -> str | None:
    """The party most contracts share: the user's own company, so it is never anyone's counterparty.

    Only when it appears in at least half of the contracts that name two or more parties (and in at least
    two of them): in a batch of unrelated contracts nobody is "home".
    """
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    multi = 0
    for row in rows:
        if len(row.parties) < 2:
            continue
        multi += 1
        for party in {_norm_party(p): p for p in row.parties}.items():
            counts[party[0]] += 1
            spelled.setdefault(party[0], party[1])
    if not counts:
        return None
    key, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return spelled[key] if n >= 2 and n * 2 >= multi else None


def counterparty_of(row: ContractRow, home: str | None) -> str:
    home_key = _norm_party(home) if home else None
    others = [p for p in row.parties if _norm_party(p) != home_key]
    if not others:
        return UNKNOWN_PARTY
    return " / ".join(others)


# Whole numbers only: "30.0" and "137" are counts or durations, the 8 of "utf-8" or the 9 of "0x9c" are not.
_NUMBERS = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])")


def failure_reason_key(error: str | None) -> str:
    """The reason failures are grouped by: the first line of the error with numbers replaced by N, so that
    "time limit (30.0 s) exceeded" and "time limit (31.2 s) exceeded" are one group."""
    if not error:
        return "(no reason given)"
    first = error.strip().splitlines()[0].strip() if error.strip() else ""
    first = _NUMBERS.sub("N", first)
    return (first[:197] + "...") if len(first) > 200 else (first or "(no reason given)")


def _failure_groups(rows: Iterable[ContractRow]) -> tuple[FailureGroup, ...]:
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        if row.outcome != Outcome.SUCCEEDED:
            grouped[(row.outcome, failure_reason_key(row.error))].append(row.name)
    order = {o: i for i, o in enumerate(ALL_OUTCOMES)}
    groups = [
        FailureGroup(outcome=o, reason=r, count=len(names), examples=tuple(names[:5]))
        for (o, r), names in grouped.items()
    ]
    groups.sort(key=lambda g: (-g.count, order.get(g.outcome, 99), g.reason))
    return tuple(groups)


def _percentile(sorted_values: list[float], q: float) -> float:
    # Nearest-rank: an actual observed runtime, never an interpolated one nobody had.
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(report: Mapping[str, Any], *, as_of: date | None = None) -> Summary:
    """Key figures and aggregations of a final report. ``as_of`` defaults to today (UTC)."""
    if not isinstance(report, Mapping):
        raise TypeError("a report is a JSON object")
    today = as_of or datetime.now(UTC).date()
    contracts = report.get("contracts")
    rows = tuple(_row(i, c) for i, c in enumerate(contracts if isinstance(contracts, list) else []))

    # Counted from the contracts, not copied from report["counts"]: the two can only disagree in a broken
    # report, and then the per-contract list is what every other figure is built from.
    counts: dict[str, int] = dict.fromkeys(ALL_OUTCOMES, 0)
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1

    value_by_currency: dict[str, float] = defaultdict(float)
    currency_contracts: Counter[str] = Counter()
    for row in rows:
        if row.value_amount is not None and row.value_currency:
            value_by_currency[row.value_currency] += row.value_amount
            currency_contracts[row.value_currency] += 1
    main_currency = (
        max(currency_contracts.items(), key=lambda kv: (kv[1], value_by_currency[kv[0]]))[0]
        if currency_contracts
        else None
    )

    home = _home_party(rows)
    by_party: dict[str, float] = defaultdict(float)
    for row in rows:
        if row.value_amount is not None and row.value_currency == main_currency:
            by_party[counterparty_of(row, home)] += row.value_amount

    expiring = dict.fromkeys(EXPIRY_WINDOWS, 0)
    already_expired = 0
    first_month = today.replace(day=1)
    months = [_add_months(first_month, i) for i in range(EXPIRY_MONTHS)]
    month_counts: Counter[date] = Counter()
    end_of_months = _add_months(first_month, EXPIRY_MONTHS)
    for row in rows:
        if row.expiration is None:
            continue
        days = (row.expiration - today).days
        if days < 0:
            already_expired += 1
        for window in EXPIRY_WINDOWS:
            if 0 <= days <= window:
                expiring[window] += 1
        if first_month <= row.expiration < end_of_months and days >= 0:
            month_counts[row.expiration.replace(day=1)] += 1

    laws: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for row in rows:
        if row.outcome == Outcome.SUCCEEDED:
            laws[row.governing_law or NOT_STATED] += 1
            flags.update(set(row.risk_flags))

    runtimes = tuple(r.runtime_s for r in rows if r.runtime_s is not None and r.runtime_s >= 0)
    ordered = sorted(runtimes)
    stats = RuntimeStats(
        count=len(ordered),
        median_s=statistics.median(ordered) if ordered else None,
        p90_s=_percentile(ordered, 0.9) if ordered else None,
        max_s=ordered[-1] if ordered else None,
        total_s=math.fsum(ordered),
    )

    return Summary(
        batch_id=_text(report.get("batch_id")) or "",
        label=_text(report.get("label")) or "",
        created_at=parse_datetime(report.get("created_at")),
        finished_at=parse_datetime(report.get("finished_at")),
        finalized_by=_text(report.get("finalized_by")) or "",
        as_of=today,
        total=len(rows),
        counts=counts,
        rows=rows,
        value_by_currency=dict(sorted(value_by_currency.items())),
        expiring_within=expiring,
        already_expired=already_expired,
        value_currency=main_currency,
        value_by_counterparty=_top(by_party, TOP_COUNTERPARTIES),
        value_other_currencies=sum(n for c, n in currency_contracts.items() if c != main_currency),
        home_party=home,
        expirations_by_month=tuple((m, month_counts.get(m, 0)) for m in months),
        governing_law=tuple((k, int(v)) for k, v in _top(laws, TOP_GOVERNING_LAWS)),
        risk_flags=tuple(sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))),
        runtimes=runtimes,
        runtime_stats=stats,
        failure_groups=_failure_groups(rows),
    )


# ------------------------------------------------------------------------------------------- formatting


def format_money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}" if amount % 1 else f"{amount:,.0f} {currency}"


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"  # analysis runtimes are often well under a second
    if seconds < 60:
        return f"{seconds:.1f} s"
    td = timedelta(seconds=round(seconds))
    hours, rem = divmod(td.seconds + td.days * 86400, 3600)
    minutes, secs = divmod(rem, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def key_figures(summary: Summary) -> list[tuple[str, str]]:
    """The key figures as (label, text) pairs: one list so the PDF, HTML and text bodies say the same."""
    rate = summary.success_rate
    figures: list[tuple[str, str]] = [
        ("Contracts", f"{summary.total:,}"),
        ("Success rate", f"{rate:.1%}" if rate is not None else "n/a"),
    ]
    figures += [(o.replace("_", " ").capitalize(), f"{summary.counts.get(o, 0):,}") for o in ALL_OUTCOMES]
    if summary.value_by_currency:
        for currency, amount in summary.value_by_currency.items():
            figures.append((f"Total value ({currency})", format_money(amount, currency)))
    else:
        figures.append(("Total value", "no values found"))
    for window in EXPIRY_WINDOWS:
        figures.append((f"Expiring in {window} days", f"{summary.expiring_within.get(window, 0):,}"))
    figures.append(("Already expired", f"{summary.already_expired:,}"))
    figures.append(("Batch wall time", format_duration(summary.wall_time_s)))
    return figures


def subject_line(summary: Summary) -> str:
    """The subject: "Contract batch <label>: 95 of 100 succeeded, 5 need attention" (one line)."""
    label = " ".join(summary.display_label.split())  # no CR/LF can reach the Subject header
    if summary.total == 0:
        result = "no contracts"
    elif summary.need_attention == 0:
        result = f"all {summary.total:,} succeeded"
    else:
        verb = "needs" if summary.need_attention == 1 else "need"
        result = (
            f"{summary.succeeded:,} of {summary.total:,} succeeded, "
            f"{summary.need_attention:,} {verb} attention"
        )
    return f"Contract batch {label}: {result}"
