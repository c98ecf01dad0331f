"""Key figures and aggregations, on hand-made reports whose right answers are known."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.reporting.summary import (
    EXPIRY_MONTHS,
    OTHER,
    failure_reason_key,
    key_figures,
    subject_line,
    summarize,
)

AS_OF = date(2026, 11, 23)


def contract(name: str, outcome: str = "succeeded", **result: Any) -> dict[str, Any]:
    return {
        "name": name,
        "task_id": f"b-{name}",
        "outcome": outcome,
        "error": None if outcome == "succeeded" else result.pop("error", "boom"),
        "attempts": 1,
        "runtime_s": result.pop("runtime_s", 1.0),
        "worker": "celery@w",
        "result": result if outcome == "succeeded" else None,
    }


def report(*contracts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base = {
        "batch_id": "b1",
        "label": "Q4",
        "created_at": "2026-11-23T10:00:00+00:00",
        "finished_at": "2026-11-23T10:02:30+00:00",
        "finalized_by": "callback",
        "contracts": list(contracts),
    }
    base.update(extra)
    return base


def test_key_figures() -> None:
    r = report(
        contract("a", value={"amount": 1000, "currency": "USD"}, expiration_date="2026-12-01"),
        contract("b", value={"amount": 500.5, "currency": "eur"}, expiration_date="2027-01-31"),
        contract("c", value={"amount": 250, "currency": "USD"}, expiration_date="2027-11-23"),
        contract("d", expiration_date="2026-11-01"),
        contract("e", "rejected", error="unsupported file type (.xyz)"),
        contract("f", "failed", error="ValueError: x"),
    )
    s = summarize(r, as_of=AS_OF)
    assert s.total == 6
    assert s.counts == {"succeeded": 4, "rejected": 1, "failed": 1, "timed_out": 0, "revoked": 0, "lost": 0}
    assert s.success_rate == pytest.approx(4 / 6)
    assert s.value_by_currency == {"EUR": 500.5, "USD": 1250.0}
    assert s.expiring_within == {30: 1, 90: 2, 365: 3}  # 365 days from 2026-11-23 is 2027-11-23: included
    assert s.already_expired == 1
    assert s.wall_time_s == 150
    figures = dict(key_figures(s))
    assert figures["Contracts"] == "6" and figures["Succeeded"] == "4" and figures["Need attention"] == "2"
    assert figures["Rejected"] == "1" and figures["Failed"] == "1"
    assert "Timed out" not in figures and "Lost" not in figures  # outcomes no contract had
    assert figures["Success rate"] == "66.7%"
    assert figures["Total value (USD)"] == "$1,250"
    assert figures["Total value (EUR)"] == "€500.50"
    assert figures["Batch wall time"] == "2 min 30 s"


def test_money_and_dates_follow_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, date, datetime

    from core.reporting.wording import display_locale, format_date, format_money, format_when

    monkeypatch.setenv("CONTRACT_BATCH_LOCALE", "de_DE")
    assert display_locale() == "de_DE"
    assert format_money(1_883_000, "EUR") == "1.883.000\xa0€"
    assert format_date(date(2006, 7, 11)) == "11.07.2006"
    assert format_when(datetime(2026, 11, 29, 23, 38, tzinfo=UTC)) == "29.11.2026, 23:38 UTC"
    monkeypatch.setenv("CONTRACT_BATCH_LOCALE", "fr_FR")
    assert format_date(date(2006, 7, 11)) == "11 juil. 2006"
    monkeypatch.setenv("CONTRACT_BATCH_LOCALE", "C")  # "no preference": English, not a computer's format
    assert format_money(5, "USD") == "$5" and format_money(5.5, "XXX") == "5.5"
    monkeypatch.setenv("CONTRACT_BATCH_LOCALE", "not-a-locale")
    assert display_locale() == "en_US"


def test_risks_lead_the_report() -> None:
    r = report(
        contract("a", expiration_date="2026-12-01", risk_flags=["expires_within_90_days", "auto_renews"]),
        contract("b", expiration_date="2020-01-31", risk_flags=["expired"]),
        contract("c", risk_flags=["no_end_date", "parties_unclear"]),
        contract("d", risk_flags=["parties_unclear"]),
        contract("e", "failed", error="ValueError: x"),
    )
    s = summarize(r, as_of=AS_OF)
    assert [(g.label, g.count, g.decision) for g in s.risk_groups] == [
        ("Expires within 90 days", 1, True), ("Expired", 1, True), ("Renews automatically", 1, True),
        ("No end date", 1, True), ("Parties unclear", 2, False)]
    assert s.with_risks == 3  # d has only a flag to check
    from core.reporting.wording import risk_line

    assert risk_line(s) == ("3 contracts have risks to review: expires within 90 days (1), expired (1), "
                            "renews automatically (1), no end date (1).")
    assert subject_line(s) == "Contract batch Q4: 4 of 5 succeeded, 1 needs attention, 3 with risks to review"


def test_subject_line() -> None:
    assert subject_line(summarize(report(contract("a"), contract("b", "failed")))) == (
        "Contract batch Q4: 1 of 2 succeeded, 1 needs attention"
    )
    many = report(*[contract(str(i)) for i in range(95)], *[contract(f"x{i}", "failed") for i in range(5)])
    assert subject_line(summarize(many)) == "Contract batch Q4: 95 of 100 succeeded, 5 need attention"
    assert subject_line(summarize(report(contract("a")))) == "Contract batch Q4: all 1 succeeded"
    # No label: the batch id; a label with CR/LF cannot break the header.
    assert subject_line(summarize(report(contract("a"), label=""))).startswith("Contract batch b1:")
    assert "\n" not in subject_line(summarize(report(contract("a"), label="x\r\nBcc: evil@example.com")))


def test_value_by_counterparty_top10_and_home_party() -> None:
    us = "Northwind Ltd"
    contracts = [
        contract(f"c{i}", parties=[us, f"Party {i:02d}"], value={"amount": 100 + i, "currency": "USD"})
        for i in range(14)
    ]
    s = summarize(report(*contracts), as_of=AS_OF)
    assert s.home_party == us
    labels = [k for k, _ in s.value_by_counterparty]
    assert len(labels) == 11 and labels[-1] == OTHER
    assert labels[0] == "Party 13"  # largest first
    assert sum(v for _, v in s.value_by_counterparty) == sum(100 + i for i in range(14))
    assert dict(s.value_by_counterparty)[OTHER] == 100 + 101 + 102 + 103


def test_expirations_by_month_covers_24_months() -> None:
    s = summarize(
        report(
            contract("a", expiration_date="2026-11-30"),
            contract("b", expiration_date="2026-11-23"),
            contract("c", expiration_date="2028-10-31"),  # last month of the window
            contract("d", expiration_date="2028-11-01"),  # just after it
            contract("e", expiration_date="2026-11-22"),  # yesterday: expired, not in the timeline
        ),
        as_of=AS_OF,
    )
    months = s.expirations_by_month
    assert len(months) == EXPIRY_MONTHS
    assert months[0] == (date(2026, 11, 1), 2)
    assert months[-1] == (date(2028, 10, 1), 1)
    assert sum(n for _, n in months) == 3


def test_defensive_parsing_of_odd_results() -> None:
    odd = report(
        {"name": "x", "outcome": "succeeded", "result": "just a string"},
        {"name": "y", "outcome": "succeeded", "result": {"value": {"amount": "12"}, "parties": "Solo Inc"}},
        {
            "name": "z",
            "outcome": "succeeded",
            "result": {"value": {"amount": True}, "expiration_date": "soon"},
        },
        {
            "name": "w",
            "outcome": "succeeded",
            "result": {"value": {"amount": 5}, "risk_flags": ["a", "a", None]},
        },
        {"outcome": "failed"},
        "not even a dict",
        {"name": "v", "outcome": "exploded"},
    )
    s = summarize(odd, as_of=AS_OF)
    assert s.total == 7
    assert s.value_by_currency == {"XXX": 5.0}  # amount without currency: ISO 4217 "no currency"
    assert s.risk_flags == (("a", 1),)
    assert s.rows[1].parties == ("Solo Inc",)
    assert s.rows[4].name == "#5"
    assert s.counts["lost"] == 2  # no outcome, or an unknown one: reported as lost, not dropped
    assert s.rows[6].error == "unknown outcome 'exploded' in the report"
    assert sum(s.counts.values()) == s.total
    assert summarize({}, as_of=AS_OF).total == 0


def test_failures_grouped_by_reason() -> None:
    s = summarize(
        report(
            contract("a", "timed_out", error="time limit (30.0 s) exceeded"),
            contract("b", "timed_out", error="time limit (31.5 s) exceeded"),
            contract(
                "c", "failed", error="UnicodeDecodeError: 'utf-8' codec can't decode byte 0x9c\nTraceback..."
            ),
            contract("d", "rejected", error=None),
        )
    )
    groups = {(g.outcome, g.reason): g for g in s.failure_groups}
    assert groups[("timed_out", "time limit (N s) exceeded")].count == 2
    assert groups[("timed_out", "time limit (N s) exceeded")].examples == ("a", "b")
    assert ("failed", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x9c") in groups
    assert ("rejected", "(no reason given)") in groups
    assert s.failure_groups[0].count == 2
    assert failure_reason_key("worker died 3 times (exit code 137)") == "worker died N times (exit code N)"


def test_runtime_stats() -> None:
    s = summarize(report(*[contract(str(i), runtime_s=float(i)) for i in range(1, 11)]))
    assert s.runtime_stats.count == 10
    assert s.runtime_stats.median_s == 5.5
    assert s.runtime_stats.p90_s == 9.0
    assert s.runtime_stats.max_s == 10.0


def test_durations_read_naturally() -> None:
    from core.reporting.summary import format_duration

    assert [format_duration(v) for v in (None, 0.0123, 0.5, 12.34, 150, 4000)] == [
        "unknown",
        "12 ms",
        "500 ms",
        "12.3 s",
        "2 min 30 s",
        "1 h 06 min",
    ]


def test_warm_up_loads_the_locale_before_the_first_report() -> None:
    """The desktop app warms Babel up on a background job, so that the GUI thread's first report does
    not read the locale's data files (``babel.localedata`` caches what it has loaded)."""
    from babel import localedata

    localedata._cache.pop("fr", None)  # the cache is what warming up is for
    localedata._cache.pop("fr_CA", None)
    from core.reporting import wording

    wording.warm_up("fr_CA")
    assert {"fr", "fr_CA"} <= set(localedata._cache)
