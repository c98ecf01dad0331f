"""Structured contract entries (a JSON object, a CSV row): their own fields, plus analysis of any text.

Keys are matched case-insensitively with spaces, dashes and underscores ignored, through the aliases
below (documented in docs/analysis.md). A field the entry states wins over one read from its text, and its
evidence says which key it came from.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from dateutil import parser as date_parser

from core.contracts.analysis import FIELDS, analyze_text, today
from core.contracts.analysis.jurisdictions import jurisdiction_of
from core.contracts.analysis.risk import risk_flags
from core.contracts.contract import ContractRejected

KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "id", "contractid", "contractname", "reference", "ref", "contractnumber", "number"),
    "text": ("text", "body", "content", "fulltext", "contracttext", "document", "clauses"),
    "title": ("title", "documentname", "contracttitle", "subject"),
    "contract_type": ("contracttype", "type", "kind", "category"),
    "parties": ("parties", "party", "counterparties", "counterparty"),
    "party_a": ("partya", "party1", "firstparty", "customer", "buyer", "client", "licensee"),
    "party_b": ("partyb", "party2", "secondparty", "supplier", "vendor", "seller", "provider", "licensor"),
    "agreement_date": ("agreementdate", "date", "signeddate", "signaturedate", "executiondate", "dated"),
    "effective_date": ("effectivedate", "startdate", "commencementdate", "start"),
    "expiration_date": ("expirationdate", "expirydate", "enddate", "terminationdate", "expires", "end"),
    "term": ("term", "duration", "initialterm"),
    "auto_renewal": ("autorenewal", "autorenew", "automaticrenewal", "renewsautomatically", "evergreen"),
    "renewal_term": ("renewalterm", "renewalperiod"),
    "notice_period_days": ("noticeperioddays", "noticedays", "noticeperiod", "notice"),
    "governing_law": ("governinglaw", "law", "jurisdiction", "choiceoflaw"),
    "value": ("value", "amount", "contractvalue", "totalvalue", "price", "totalprice", "fee", "fees"),
    "currency": ("currency", "valuecurrency", "ccy"),
}
_LOOKUP = {alias: field for field, aliases in KEY_ALIASES.items() for alias in aliases}
_MAX_ENTRY_TEXT = 2_000_000
# Fields an entry may give as a JSON list: names, and a contract's clauses.
_LIST_FIELDS = frozenset({"parties", "text"})


def canonical_key(key: str) -> str | None:
    return _LOOKUP.get(re.sub(r"[\s_\-./]+", "", str(key)).lower())


def known_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's values under canonical field names (first alias wins), empty values dropped."""
    fields: dict[str, Any] = {}
    for key, value in entry.items():
        canonical = canonical_key(key)
        if not canonical or canonical in fields or value in (None, "", []):
            continue
        # A nested object (an annotation record, say) is not the field's value, and only the fields that
        # are lists may be given as one: reading either as text would present garbage as a fact.
        if isinstance(value, dict) or (isinstance(value, list) and canonical not in _LIST_FIELDS):
            continue
        fields[canonical] = value
    return fields


def parse_entry(data: bytes) -> dict[str, Any]:
    from core.contracts.extraction.plain_text import decode_text

    try:
        value = json.loads(decode_text(data))
    except (ValueError, RecursionError):
        raise ContractRejected("corrupt JSON (not a valid JSON document)") from None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        raise ContractRejected("JSON entry is not a contract object")
    return value


def _iso(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text or len(text) > 60:
        return None
    try:
        # ISO first: unambiguous. Otherwise dateutil, month first as in US exports.
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        return date_parser.parse(text, dayfirst=False).date().isoformat()
    except (ValueError, OverflowError, date_parser.ParserError):
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "auto", "automatic"):
        return True
    if text in ("false", "no", "n", "0", "none"):
        return False
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    match = re.search(r"\d{1,6}", str(value))
    if not match:
        return None
    number = int(match.group())
    return number * 30 if re.search(r"month", str(value), re.IGNORECASE) else number


def _parties(fields: dict[str, Any]) -> list[str] | None:
    raw = fields.get("parties")
    names: list[str] = []
    if isinstance(raw, list):
        names = [str(item.get("name", "")) if isinstance(item, dict) else str(item) for item in raw]
    elif isinstance(raw, str):
        names = re.split(r"\s*[;|]\s*|\s+and\s+(?=[A-Z])", raw)
    for key in ("party_a", "party_b"):
        if key in fields:
            names.append(str(fields[key]))
    names = [n.strip() for n in names if n and n.strip()]
    return names or None


def _value(fields: dict[str, Any]) -> dict[str, Any] | None:
    raw = fields.get("value")
    if raw is None:
        return None
    currency = str(fields.get("currency") or "").strip().upper() or None
    if isinstance(raw, dict):
        amount = raw.get("amount")
        currency = str(raw.get("currency") or currency or "USD").upper()
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        amount = raw
    else:
        text = str(raw)
        symbol = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
        for sign, code in symbol.items():
            if sign in text:
                currency = currency or code
        iso = re.search(r"\b([A-Z]{3})\b", text)
        if iso:
            currency = currency or iso.group(1)
        number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
        amount = float(number.group().replace(",", "")) if number else None
    try:
        amount = float(amount) if amount is not None else None
    except (TypeError, ValueError):
        amount = None
    if amount is None:
        return None
    return {"amount": amount, "currency": currency or "USD"}


def analyze_entry(entry: dict[str, Any]) -> dict[str, Any]:
    fields = known_fields(entry)
    text = fields.get("text")
    if isinstance(text, str) and text.strip():
        result = analyze_text(text[:_MAX_ENTRY_TEXT])
    else:
        result = {key: None for key in FIELDS}
        result["parties"] = []
        result["evidence"] = {}
    evidence: dict[str, str] = result["evidence"]

    def given(field: str, value: Any, source_key: str | None = None) -> None:
        if value is None:
            return
        result[field] = value
        evidence[field] = f'stated in the entry\'s "{source_key or field}" field'

    given("title", str(fields["title"]) if "title" in fields else None)
    given("contract_type", str(fields["contract_type"]) if "contract_type" in fields else None)
    given("parties", _parties(fields))
    for key in ("agreement_date", "effective_date", "expiration_date"):
        if key in fields:
            given(key, _iso(fields[key]))
    given("term", str(fields["term"]) if "term" in fields else None)
    given("auto_renewal", _bool(fields["auto_renewal"]) if "auto_renewal" in fields else None)
    given("renewal_term", str(fields["renewal_term"]) if "renewal_term" in fields else None)
    given(
        "notice_period_days", _int(fields["notice_period_days"]) if "notice_period_days" in fields else None
    )
    if "governing_law" in fields:
        # "State of Texas" in a column is Texas, as in a clause; a value naming no known place is kept.
        stated = str(fields["governing_law"]).strip()
        given("governing_law", jurisdiction_of(stated) or stated)
    given("value", _value(fields))
    if not text and len(evidence) == 0:
        raise ContractRejected("entry has no contract text and no recognised fields")
    result["risk_flags"] = risk_flags(result, today())
    return result
