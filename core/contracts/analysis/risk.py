"""Risk flags: short codes a contract manager filters on. Meanings are documented in docs/analysis.md."""

from __future__ import annotations

from datetime import date
from typing import Any

RISK_FLAGS: dict[str, str] = {
    "expired": "the expiration date has passed",
    "expires_within_90_days": "the expiration date is within the next 90 days",
    "auto_renews": "the contract renews automatically unless notice is given",
    "short_notice_period": "the notice period is under 30 days",
    "no_governing_law": "no choice-of-law clause was found (governing_law may name the forum for disputes)",
    "no_end_date": "neither an expiration date nor a term was found, or the term is indefinite",
    "parties_unclear": "fewer than two parties could be named",
    "no_effective_date": "no effective or agreement date was found",
    "expiration_estimated": "the term runs from an event whose date is not given (e.g. a launch date); "
    "the expiration date counts the term from the effective date instead",
}
# The flags in words a contract manager uses (reports, the detail pane, the CSV).
RISK_LABELS: dict[str, str] = {
    "expires_within_90_days": "Expires within 90 days",
    "expired": "Expired",
    "auto_renews": "Renews automatically",
    "short_notice_period": "Notice period under 30 days",
    "no_end_date": "No end date",
    "no_governing_law": "No governing law found",
    "parties_unclear": "Parties unclear",
    "no_effective_date": "No effective date found",
    "expiration_estimated": "Expiration date estimated",
}
# Flags that ask for a decision (renew, end, give notice), most urgent first; the others ask a person to
# check what the analysis could not read.
DECISION_FLAGS: tuple[str, ...] = (
    "expires_within_90_days", "expired", "auto_renews", "short_notice_period", "no_end_date",
)


def risk_flags(result: dict[str, Any], as_of: date, *, law_chosen: bool = True) -> list[str]:
    flags: list[str] = []
    expiration = result.get("expiration_date")
    if expiration:
        days_left = (date.fromisoformat(expiration) - as_of).days
        if days_left < 0:
            flags.append("expired")
        elif days_left <= 90:
            flags.append("expires_within_90_days")
    if result.get("auto_renewal") is True:
        flags.append("auto_renews")
    notice = result.get("notice_period_days")
    if notice is not None and notice < 30:
        flags.append("short_notice_period")
    if not result.get("governing_law") or not law_chosen:
        flags.append("no_governing_law")
    if not expiration and (not result.get("term") or result.get("term") == "indefinite"):
        flags.append("no_end_date")
    if len(result.get("parties") or []) < 2:
        flags.append("parties_unclear")
    if not result.get("effective_date") and not result.get("agreement_date"):
        flags.append("no_effective_date")
    return flags
