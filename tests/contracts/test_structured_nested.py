"""Structured entries whose fields hold nested objects (label files, annotation exports)."""

from __future__ import annotations

import json

from core import Contract
from core.engine.processors import analyze


def test_nested_objects_are_not_read_as_field_values() -> None:
    entry = {
        "document_name": {"answer": "MARKETING AFFILIATE AGREEMENT", "text": ["MARKETING AFFILIATE"]},
        "governing_law": {"answer": "Nevada", "text": ["governed by the laws of Nevada"]},
        "contract_type": "Affiliate_Agreements",
        "parties": ["Acme Corp", "Globex Ltd"],
        "term": ["5 years"],
    }
    result = analyze(Contract("labels.json#1", json.dumps(entry).encode(), "application/json"))
    assert result["title"] is None and result["governing_law"] is None and result["term"] is None
    assert "answer" not in json.dumps(result)  # no stringified record leaked into any field
    assert result["contract_type"] == "Affiliate_Agreements"
    assert result["parties"] == ["Acme Corp", "Globex Ltd"]
