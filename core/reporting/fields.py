"""A contract's result as a person reads it: field labels in words, values formatted for the locale (money,
dates, yes/no, lists as lists), nothing shown for what was not found, and each distinct evidence passage
once with the fields it supports. The desktop app's detail pane and the exports show these; the raw JSON
stays available beside them (copy).

Results of processors other than the built-in analyser are shown too: unknown keys get a label made from
their name and their values are shown by type, never as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.contracts.analysis.risk import RISK_LABELS
from core.reporting.wording import format_date, format_money, format_number

FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "contract_type": "Contract type",
    "parties": "Parties",
    "agreement_date": "Agreement date",
    "effective_date": "Effective date",
    "expiration_date": "Expiration date",
    "term": "Term",
    "auto_renewal": "Renews automatically",
    "renewal_term": "Renewal term",
    "notice_period_days": "Notice period",
    "governing_law": "Governing law",
    "value": "Contract value",
    "risk_flags": "Risks",
}
DATE_FIELDS = frozenset({"agreement_date", "effective_date", "expiration_date"})
EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class ShownField:
    key: str
    label: str
    items: tuple[str, ...]  # one item for a single value; a list's items, each on its own line

    @property
    def text(self) -> str:
        return "; ".join(self.items)


@dataclass(frozen=True, slots=True)
class Passage:
    """One evidence passage and the labels of the fields it supports."""

    text: str
    labels: tuple[str, ...]


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key) or key.replace("_", " ").strip().capitalize() or key


def risk_label(flag: str) -> str:
    return RISK_LABELS.get(flag) or flag.replace("_", " ").capitalize()


def _scalar(value: Any, locale: str) -> str | None:
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return format_number(value, locale)
    if isinstance(value, Mapping):
        parts = [f"{field_label(str(k))}: {s}" for k, v in value.items() if (s := _scalar(v, locale))]
        return ", ".join(parts) or None
    if isinstance(value, list | tuple):
        parts = [s for v in value if (s := _scalar(v, locale))]
        return ", ".join(parts) or None
    return " ".join(str(value).split()) or None


def _value_items(key: str, value: Any, locale: str) -> tuple[str, ...]:
    if key == "risk_flags" and isinstance(value, list | tuple):
        return tuple(risk_label(str(f)) for f in value if f)
    if key in DATE_FIELDS and isinstance(value, str):
        try:
            return (format_date(date.fromisoformat(value), locale),)
        except ValueError:
            pass  # not an ISO date: shown as written
    if key == "notice_period_days" and isinstance(value, int | float) and not isinstance(value, bool):
        days = format_number(value, locale)
        return (f"{days} day" if value == 1 else f"{days} days",)
    if key == "contract_type" and isinstance(value, str) and value:
        return (value[:1].upper() + value[1:],)
    if isinstance(value, Mapping) and isinstance(value.get("amount"), int | float) and not isinstance(
        value.get("amount"), bool
    ):
        currency = value.get("currency")
        return (format_money(float(value["amount"]), str(currency) if currency else "", locale),)
    if isinstance(value, list | tuple):
        return tuple(s for v in value if (s := _scalar(v, locale)))
    shown = _scalar(value, locale)
    return (shown,) if shown else ()


def shown_fields(result: Mapping[str, Any], locale: str) -> list[ShownField]:
    """The fields that have a value, the analyser's in their order first, then any others."""
    known = [k for k in FIELD_LABELS if k in result]
    others = [k for k in result if k not in FIELD_LABELS and k != EVIDENCE]
    fields = []
    for key in (*known, *others):
        items = _value_items(key, result[key], locale)
        if items:
            fields.append(ShownField(str(key), field_label(str(key)), items))
    return fields


def evidence_passages(result: Mapping[str, Any]) -> list[Passage]:
    """Each distinct passage once, in the order of the fields it first supports."""
    evidence = result.get(EVIDENCE)
    if not isinstance(evidence, Mapping):
        return []
    order = [k for k in FIELD_LABELS if k in evidence] + [k for k in evidence if k not in FIELD_LABELS]
    labels: dict[str, list[str]] = {}
    for key in order:
        text = _scalar(evidence[key], "en")
        if text:
            labels.setdefault(text, []).append(field_label(str(key)))
    return [Passage(text, tuple(found)) for text, found in labels.items()]
