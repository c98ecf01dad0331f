"""The report in words: money, dates, durations, the key figures and the email subject, the same in the
view, the PDF, the HTML email and its text part.

Numbers, money and dates are formatted for the person's locale by Babel (CLDR data): "€13,600,000",
"13.600.000 €", "Jul 11, 2006", "11 juil. 2006". The locale is ``CONTRACT_BATCH_LOCALE`` if set (the
desktop app sets it from the system's, which is how Windows and macOS report it), else the environment's
``LC_ALL``/``LC_TIME``/``LANG``, else en_US.
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from core.counts import attention_words
from core.outcome import ALL_OUTCOMES

if TYPE_CHECKING:
    from babel import Locale

    from core.reporting.summary import Summary

EXPIRY_WINDOWS: tuple[int, ...] = (30, 90, 365)
LOCALE_ENV = "CONTRACT_BATCH_LOCALE"
DEFAULT_LOCALE = "en_US"
NO_CURRENCY = "XXX"  # ISO 4217's "no currency": an amount shown as a plain number


@functools.lru_cache(maxsize=8)
def _locale(name: str | None) -> Locale:
    from babel import Locale, UnknownLocaleError, default_locale

    chosen = name or os.environ.get(LOCALE_ENV) or default_locale("LC_TIME") or DEFAULT_LOCALE
    chosen = chosen.split(".")[0].split("@")[0].replace("-", "_")
    if chosen in ("C", "POSIX", "en_US_POSIX"):
        chosen = DEFAULT_LOCALE  # the C locale means "no preference", not "format like a computer"
    # The locale, else its language (the installers carry the data of 37 languages, not all 1,149
    # locales: packaging/bundle_filters.py), else en_US.
    for candidate in (chosen, chosen.split("_")[0], DEFAULT_LOCALE):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT_LOCALE)


def display_locale(name: str | None = None) -> str:
    """The locale's name, e.g. "de_DE" (``name`` wins over the environment; bad names give en_US)."""
    return str(_locale(name or os.environ.get(LOCALE_ENV)))


def format_number(value: float, locale: str | None = None) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(locale or os.environ.get(LOCALE_ENV)))


def format_money(amount: float, currency: str, locale: str | None = None) -> str:
    """"€13,600,000", "$1,883,000.50": cents only when there are some; an unknown currency as its code."""
    from babel.numbers import UnknownCurrencyError, format_currency, is_currency

    loc = _locale(locale or os.environ.get(LOCALE_ENV))
    code = (currency or "").strip().upper()
    if not code or code == NO_CURRENCY:
        return format_number(amount, locale)
    if not is_currency(code):
        return f"{format_number(amount, locale)} {code}"
    pattern = loc.currency_formats["standard"].pattern
    if amount % 1 == 0:
        pattern = pattern.replace(".00", "")
    try:
        return format_currency(amount, code, format=pattern, locale=loc, currency_digits=False)
    except (UnknownCurrencyError, ValueError):
        return f"{format_number(amount, locale)} {code}"


def format_date(day: date, locale: str | None = None) -> str:
    """A date as people write it: "Jul 11, 2006", "11.07.2006"."""
    from babel.dates import format_date as babel_date

    return babel_date(day, "medium", locale=_locale(locale or os.environ.get(LOCALE_ENV)))


def format_when(moment: datetime, locale: str | None = None, zone: tzinfo | None = None) -> str:
    """A moment as people write it, in the reader's time zone (the machine's unless given), minutes only:
    "Nov 29, 2026, 11:38 PM UTC"."""
    from babel.dates import format_date as babel_date
    from babel.dates import format_time, get_timezone

    loc = _locale(locale or os.environ.get(LOCALE_ENV))
    tz = zone or get_timezone()
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)
    day = babel_date(local.date(), "medium", locale=loc)
    time_of_day = format_time(local, "short", tzinfo=tz, locale=loc)
    glued = str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time_of_day)
    return f"{glued} {format_time(local, 'z', tzinfo=tz, locale=loc)}"


def warm_up(locale: str | None = None) -> None:
    """Load the locale's data and the machine's time zone now (a desktop app calls it on a background
    job at start): their first use reads and unpickles CLDR files, 10 ms here with the files cached and
    277 ms once from a cold disk, which fell on the GUI thread as it showed the first report
    (``benchmarks/grid_refresh.py --why``)."""
    format_when(datetime.now(UTC), locale)
    format_money(1234.5, "USD", locale)
    format_percent(0.5, locale)


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


def format_percent(share: float, locale: str | None = None) -> str:
    from babel.numbers import format_percent as babel_percent

    return babel_percent(share, "#,##0.0%", locale=_locale(locale or os.environ.get(LOCALE_ENV)))


def outcome_label(outcome: str) -> str:
    """"Timed out", "Succeeded": an outcome as a word a person uses (``core.outcome`` holds the keys)."""
    return outcome.replace("_", " ").capitalize()


def headline(summary: Summary) -> str:
    """The sentence every surface opens with: "48 of 52 contracts succeeded; 4 need attention."."""
    c = summary.batch_counts
    if c.total == 0:
        return "This batch has no contracts."
    if c.needs_attention == 0:
        return f"All {c.total:,} contracts succeeded."
    return f"{c.succeeded:,} of {c.total:,} contracts succeeded; {attention_words(c.needs_attention)}."


def risk_line(summary: Summary) -> str:
    """"19 contracts have risks to review: expired (19), renews automatically (3)." ("" when none)."""
    if not summary.with_risks:
        return ""
    parts = [f"{g.label[:1].lower() + g.label[1:]} ({g.count:,})" for g in summary.risk_groups if g.decision]
    verb = "has" if summary.with_risks == 1 else "have"
    noun = "contract" if summary.with_risks == 1 else "contracts"
    return f"{summary.with_risks:,} {noun} {verb} risks to review: {', '.join(parts)}."


def key_figures(summary: Summary) -> list[tuple[str, str]]:
    """The key figures as (label, text) pairs: one list so the view, PDF, HTML and text bodies say the
    same. Counts come from ``core.counts``; outcomes no contract had are left out."""
    c = summary.batch_counts
    figures: list[tuple[str, str]] = [
        ("Contracts", f"{c.total:,}"),
        ("Succeeded", f"{c.succeeded:,}"),
        ("Need attention", f"{c.needs_attention:,}"),
        ("With risks to review", f"{summary.with_risks:,}"),
    ]
    figures += [(outcome_label(o), f"{c.of_outcome(o):,}") for o in ALL_OUTCOMES
                if o != "succeeded" and c.of_outcome(o)]
    rate = c.success_rate
    figures.append(("Success rate", format_percent(rate) if rate is not None else "n/a"))
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
    """The subject: "Contract batch <label>: 95 of 100 succeeded, 5 need attention" (one line), and how
    many have risks to review when some have."""
    label = " ".join(summary.display_label.split())  # no CR/LF can reach the Subject header
    c = summary.batch_counts
    if c.total == 0:
        result = "no contracts"
    elif c.needs_attention == 0:
        result = f"all {c.total:,} succeeded"
    else:
        result = f"{c.succeeded:,} of {c.total:,} succeeded, {attention_words(c.needs_attention)}"
    if summary.with_risks:
        result += f", {summary.with_risks:,} with risks to review"
    return f"Contract batch {label}: {result}"
