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
from datetime import UTC, date, datetime
from typing import Any

from core.contracts.analysis.risk import DECISION_FLAGS, RISK_LABELS
from core.counts import BatchCounts
from core.outcome import ALL_OUTCOMES, Outcome

# The rows and the words of the report, re-exported: views and exports import them from here.
from core.reporting.report_rows import ContractRow, parse_date, parse_datetime, read_row, text_value
from core.reporting.wording import EXPIRY_WINDOWS, format_duration, format_money, key_figures, subject_line

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

EXPIRY_MONTHS = 24
TOP_COUNTERPARTIES = 10
TOP_GOVERNING_LAWS = 10
OTHER = "other"
NOT_STATED = "(not stated)"
UNKNOWN_PARTY = "(unknown)"


@dataclass(frozen=True, slots=True)
class FailureGroup:
    """Contracts that did not succeed for the same reason (numbers in the reason ignored)."""

    outcome: str
    reason: str
    count: int
    examples: tuple[str, ...]  # a few contract names, in report order


@dataclass(frozen=True, slots=True)
class RiskGroup:
    """Succeeded contracts sharing one risk flag."""

    flag: str
    label: str
    decision: bool  # asks for a decision (renew, end, give notice), not only a check of the analysis
    count: int
    examples: tuple[str, ...]  # a few contract names, soonest expiry first where it matters


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
    risk_groups: tuple[RiskGroup, ...] = field(default=())
    with_risks: int = 0  # succeeded contracts with at least one flag that asks for a decision

    @property
    def batch_counts(self) -> BatchCounts:
        """The counts every surface shows, defined once (``core.counts``)."""
        return BatchCounts.from_mapping(self.counts)

    @property
    def succeeded(self) -> int:
        return self.batch_counts.succeeded

    @property
    def need_attention(self) -> int:
        return self.batch_counts.needs_attention

    @property
    def success_rate(self) -> float | None:
        return self.batch_counts.success_rate

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


def _first_line(error: str | None) -> str:
    first = error.strip().splitlines()[0].strip() if error and error.strip() else ""
    return (first[:197] + "...") if len(first) > 200 else (first or "(no reason given)")


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
    said: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row.outcome != Outcome.SUCCEEDED:
            key = (row.outcome, failure_reason_key(row.error))
            grouped[key].append(row.name)
            said[key].add(_first_line(row.error))
    order = {o: i for i, o in enumerate(ALL_OUTCOMES)}
    groups = [
        # The reason as written when every contract of the group gave the same one ("time limit (30.0 s)
        # exceeded"); the pattern with N only when the numbers differ.
        FailureGroup(outcome=o, reason=next(iter(said[(o, r)])) if len(said[(o, r)]) == 1 else r,
                     count=len(names), examples=tuple(names[:5]))
        for (o, r), names in grouped.items()
    ]
    groups.sort(key=lambda g: (-g.count, order.get(g.outcome, 99), g.reason))
    return tuple(groups)


def _risk_groups(rows: Iterable[ContractRow]) -> tuple[RiskGroup, ...]:
    """Every flag raised on a succeeded contract: the decision flags in order of urgency, then the rest."""
    named: dict[str, list[ContractRow]] = defaultdict(list)
    for row in rows:
        if row.outcome == Outcome.SUCCEEDED:
            for flag in dict.fromkeys(row.risk_flags):
                named[flag].append(row)
    order = {f: i for i, f in enumerate((*DECISION_FLAGS, *RISK_LABELS))}
    groups = []
    for flag, members in sorted(named.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        members.sort(key=lambda r: (r.expiration or date.max, r.name))
        label = RISK_LABELS.get(flag) or flag.replace("_", " ").capitalize()
        groups.append(RiskGroup(flag, label, flag in DECISION_FLAGS, len(members),
                                tuple(r.name for r in members[:5])))
    return tuple(groups)


def _percentile(sorted_values: list[float], q: float) -> float:
    # Nearest-rank: an actual observed runtime, never an interpolated one nobody had.
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(report: Mapping[str, Any], *, as_of: date | None = None) -> Summary:
    """Key figures and aggregations of a final report. ``as_of`` defaults to today (UTC)."""
    if not isinstance(report, Mapping):
        raise TypeError("a report is a JSON object")
    contracts = report.get("contracts")
    rows = tuple(read_row(i, c) for i, c in enumerate(contracts if isinstance(contracts, list) else []))
    return summarize_rows(report, rows, as_of=as_of)


def summarize_stream(
    head: Mapping[str, Any], contracts: Iterable[Any], *, as_of: date | None = None
) -> Summary:
    """The summary of a report read a part at a time (``head``: the report without its contracts). Its
    rows keep no ``result`` (everything the summary, the charts, the PDF and the email show is read from it
    first): the CSV, which shows every result, is written from a second pass over the contracts."""
    rows = tuple(read_row(i, c, keep_result=False) for i, c in enumerate(contracts))
    return summarize_rows(head, rows, as_of=as_of)


def summarize_rows(
    report: Mapping[str, Any], rows: tuple[ContractRow, ...], *, as_of: date | None = None
) -> Summary:
    """The summary of ``rows``; ``report`` gives the batch's id, label and times (its contracts unread)."""
    today = as_of or datetime.now(UTC).date()

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
        batch_id=text_value(report.get("batch_id")) or "",
        label=text_value(report.get("label")) or "",
        created_at=parse_datetime(report.get("created_at")),
        finished_at=parse_datetime(report.get("finished_at")),
        finalized_by=text_value(report.get("finalized_by")) or "",
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
        risk_groups=_risk_groups(rows),
        with_risks=sum(1 for r in rows if r.outcome == Outcome.SUCCEEDED
                       and any(f in DECISION_FLAGS for f in r.risk_flags)),
    )

__all__ = ["ANALYSIS_FIELDS", "ContractRow", "FailureGroup", "RiskGroup", "RuntimeStats", "Summary",
           "counterparty_of", "failure_reason_key", "format_duration", "format_money", "key_figures",
           "parse_date", "parse_datetime", "subject_line", "summarize", "summarize_rows", "summarize_stream"]
