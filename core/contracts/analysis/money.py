"""Contract value: an amount of money the contract names as its total value, price or fee.

Only amounts in a sentence that says what they are (total value, contract price, aggregate fees, minimum
commitment...) count; a stray figure (a penalty, an insurance minimum) is not the contract's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.contracts.analysis.prose import Document

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD", "A$": "AUD",
            "HK$": "HKD", "S$": "SGD", "CHF": "CHF", "Rs.": "INR", "₹": "INR"}  # fmt: skip
_CODES = r"USD|EUR|GBP|JPY|CAD|AUD|CHF|CNY|RMB|HKD|SGD|INR|SEK|NOK|DKK|NZD|ZAR|BRL|MXN|ILS"
_WORDS = {"dollars": "USD", "euros": "EUR", "euro": "EUR", "pounds sterling": "GBP", "yen": "JPY",
          "renminbi": "CNY", "yuan": "CNY", "swiss francs": "CHF"}  # fmt: skip
_NUMBER = r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_SCALE = r"(?:\s*(?P<scale>million|billion|thousand|[mMkK]\b|bn\b))?"
_AMOUNT = re.compile(
    rf"(?P<sym>US\$|HK\$|C\$|A\$|S\$|\$|€|£|¥|₹|Rs\.)\s?(?P<n1>{_NUMBER}){_SCALE}|"
    rf"(?P<code>{_CODES})\s?(?P<n2>{_NUMBER})(?:\s*(?P<scale2>million|billion|thousand))?|"
    rf"(?P<n3>{_NUMBER})(?:\s*(?P<scale3>million|billion|thousand))?\s?(?P<code2>{_CODES}|"
    rf"(?:U\.?S\.?\s)?dollars|euros?|pounds\s+sterling|yen|renminbi|yuan|swiss\s+francs)\b"
)
_VALUE_CUE = re.compile(
    r"\b(?:total\s+(?:contract\s+)?(?:value|price|consideration|fees?|amount|cost)|contract\s+(?:value|price|sum)|"
    r"aggregate\s+(?:value|amount|price|fees?|consideration)|purchase\s+price|license\s+fee|"
    r"minimum\s+(?:commitment|purchase|guarantee|annual)|consideration\s+of|in\s+consideration|"
    r"(?:annual|monthly|one-time|fixed|flat|service|subscription|consulting|retainer)\s+fees?|"
    r"shall\s+pay\s+(?:to\s+\w+\s+)?(?:a|an|the)?\s*(?:sum|amount|fee|total)|value\s+of\s+this\s+(?:agreement|contract))\b",
    re.IGNORECASE,
)
# Each value cue holds one of these words; the cue pattern runs only around them.
_CUE_WORDS = (
    "total", "contract", "aggregate", "purchase", "license", "minimum", "consideration", "fee", "pay",
    "value",
)  # fmt: skip
_SCALES = {"million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9, "thousand": 10**3, "k": 10**3}


@dataclass(frozen=True, slots=True)
class Money:
    amount: float
    currency: str
    evidence: str


def _currency(match: re.Match[str]) -> str:
    if match.group("sym"):
        return _SYMBOLS[match.group("sym")]
    code = (match.group("code") or match.group("code2") or "").lower()
    if code.upper() in ("RMB",):
        return "CNY"
    if re.fullmatch(_CODES.lower(), code):
        return code.upper()
    code = re.sub(r"^(?:u\.?s\.?\s)", "", code)
    return _WORDS.get(re.sub(r"\s+", " ", code), "USD")


def parse_amount(match: re.Match[str]) -> tuple[float, str] | None:
    raw = match.group("n1") or match.group("n2") or match.group("n3")
    scale = match.group("scale") or match.group("scale2") or match.group("scale3")
    try:
        value = Decimal(re.sub(r"[,\s]", "", raw))
    except InvalidOperation:
        return None
    if scale:
        value *= _SCALES[scale.lower()]
    return float(value), _currency(match)


def contract_value(doc: Document) -> Money | None:
    flat = doc.flat
    for cue in doc.near_words(_VALUE_CUE, _CUE_WORDS, 40, 80):
        window = flat[cue.start() : cue.end() + 200]
        for amount in _AMOUNT.finditer(window):
            parsed = parse_amount(amount)
            if parsed and parsed[0] > 0:
                start = cue.start() + amount.start()
                return Money(parsed[0], parsed[1], doc.sentence(cue.start(), start + len(amount.group())))
    return None
