"""What the app understands in a contract: the default processor's fields, each with its evidence.

``analyze_text(text)`` returns the result keys documented in docs/analysis.md. A field not found is None;
nothing is guessed. Every found field has an ``evidence`` entry: the sentence it came from.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import Any

from core.contracts.analysis.dates_fields import agreement_date, effective_date
from core.contracts.analysis.law import governing_law
from core.contracts.analysis.money import contract_value
from core.contracts.analysis.parties import parties
from core.contracts.analysis.prose import Document
from core.contracts.analysis.risk import risk_flags
from core.contracts.analysis.term import term_facts
from core.contracts.analysis.title import contract_type, title

__all__ = ["FIELDS", "analyze_text", "today"]

FIELDS = (
    "title", "contract_type", "parties", "agreement_date", "effective_date", "expiration_date", "term",
    "auto_renewal", "renewal_term", "notice_period_days", "governing_law", "value", "risk_flags",
    "evidence",
)  # fmt: skip


def today() -> date:
    """The reference date for time-based risk flags; CONTRACT_BATCH_TODAY (YYYY-MM-DD) pins it for tests."""
    pinned = os.environ.get("CONTRACT_BATCH_TODAY", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", pinned):
        return date.fromisoformat(pinned)
    return date.today()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# Analysis reads at most this much: the head (opening, definitions, term) and the tail (governing law,
# signatures) of a very long document. A long contract is ~300k characters; the bound caps the time a
# hostile text can cost a worker at a few seconds.
HEAD_CHARS = 450_000
TAIL_CHARS = 150_000


def _bounded(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n\n" + text[-TAIL_CHARS:]


def analyze_text(text: str, *, as_of: date | None = None) -> dict[str, Any]:
    doc = Document(_bounded(text))
    evidence: dict[str, str] = {}

    found_title = title(doc)
    if found_title:
        evidence["title"] = found_title
    kind = contract_type(found_title or "", doc)
    if kind:
        evidence["contract_type"] = kind[1]

    found_parties = parties(doc)
    if found_parties:
        evidence["parties"] = found_parties.evidence

    agreed = agreement_date(doc)
    if agreed:
        evidence["agreement_date"] = agreed.evidence
    effective, inherited = effective_date(doc, agreed)
    if effective:
        evidence["effective_date"] = (
            effective.evidence
            if not inherited
            else f"(no separate effective date; the agreement's date) {effective.evidence}"
        )

    facts = term_facts(doc, effective.value if effective else None)
    expiration_evidence = facts.expiration_evidence
    if facts.expiration_estimated_from and expiration_evidence:
        expiration_evidence = (
            f"(estimate: the term runs from {facts.expiration_estimated_from}, a date the contract does not "
            f"give; counted here from the effective date) {expiration_evidence}"
        )
    for key, value in (
        ("term", facts.term_evidence),
        ("expiration_date", expiration_evidence),
        ("auto_renewal", facts.renewal_evidence),
        ("renewal_term", facts.renewal_evidence if facts.renewal_term else None),
        ("notice_period_days", facts.notice_evidence),
    ):
        if value:
            evidence[key] = value

    law = governing_law(doc)
    if law:
        evidence["governing_law"] = law.evidence
    money = contract_value(doc)
    if money:
        evidence["value"] = money.evidence

    result: dict[str, Any] = {
        "title": found_title,
        "contract_type": kind[0] if kind else None,
        "parties": found_parties.names if found_parties else [],
        "agreement_date": _iso(agreed.value if agreed else None),
        "effective_date": _iso(effective.value if effective else None),
        "expiration_date": _iso(facts.expiration),
        "term": facts.term,
        "auto_renewal": facts.auto_renewal,
        "renewal_term": facts.renewal_term,
        "notice_period_days": facts.notice_period_days,
        "governing_law": law.jurisdiction if law else None,
        "value": {"amount": money.amount, "currency": money.currency} if money else None,
    }
    # A forum for disputes fills governing_law, but the contract still chooses no law: flagged.
    result["risk_flags"] = risk_flags(result, as_of or today(), law_chosen=not (law and law.forum))
    if facts.expiration_estimated_from and result["expiration_date"]:
        result["risk_flags"].append("expiration_estimated")
    result["evidence"] = evidence
    return result
