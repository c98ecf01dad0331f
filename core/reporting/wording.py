"""The report in words: money, durations, the key figures and the email subject, the same in the view, the
PDF, the HTML email and its text part."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from core.outcome import ALL_OUTCOMES

if TYPE_CHECKING:
    from core.reporting.summary import Summary

EXPIRY_WINDOWS: tuple[int, ...] = (30, 90, 365)


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
