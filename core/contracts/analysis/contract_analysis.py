"""From a contract's bytes to the result fields: text extraction, or a structured entry's own fields."""

from __future__ import annotations

from typing import Any

from core.contracts.analysis import analyze_text
from core.contracts.analysis.structured import analyze_entry, parse_entry
from core.contracts.extraction import extract_text
from core.contracts.tabular import ENTRY_MEDIA_TYPE


def analyze_contract(data: bytes, media_type: str) -> dict[str, Any]:
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind == ENTRY_MEDIA_TYPE:  # an entry of a CSV or JSON file: its own fields, not prose
        entry = parse_entry(data)
        return analyze_entry(entry)
    return analyze_text(extract_text(data, media_type))
