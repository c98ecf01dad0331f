"""A contract's result as a person reads it (``core.reporting.fields``): labels, locale formats, lists,
nothing for what was not found, each evidence passage once with the fields it supports."""

from __future__ import annotations

import pytest

from core.reporting.fields import evidence_passages, shown_fields

SENTENCE = "This Supply Agreement is made as of July 11, 2006 between Acme Corp. and Globex Inc."
RESULT = {
    "title": "SUPPLY AGREEMENT",
    "contract_type": "supply",
    "parties": ["Acme Corp.", "Globex Inc."],
    "agreement_date": "2006-07-11",
    "effective_date": "2006-07-11",
    "expiration_date": None,
    "term": None,
    "auto_renewal": True,
    "renewal_term": "1 year",
    "notice_period_days": 60,
    "governing_law": "New York",
    "value": {"amount": 1883000.0, "currency": "EUR"},
    "risk_flags": ["expired", "auto_renews", "no_end_date"],
    "evidence": {"title": SENTENCE, "parties": SENTENCE, "agreement_date": SENTENCE,
                 "notice_period_days": "Either party may give sixty (60) days' notice."},
}


def test_fields_in_words_and_formats() -> None:
    shown = {f.label: f.items for f in shown_fields(RESULT, "en_US")}
    assert shown == {
        "Title": ("SUPPLY AGREEMENT",),
        "Contract type": ("Supply",),
        "Parties": ("Acme Corp.", "Globex Inc."),
        "Agreement date": ("Jul 11, 2006",),
        "Effective date": ("Jul 11, 2006",),
        "Renews automatically": ("Yes",),
        "Renewal term": ("1 year",),
        "Notice period": ("60 days",),
        "Governing law": ("New York",),
        "Contract value": ("€1,883,000",),
        "Risks": ("Expired", "Renews automatically", "No end date"),
    }
    # Nothing for what was not found: no "null", no empty rows.
    assert "Expiration date" not in shown and "Term" not in shown


def test_the_locale_decides_money_and_dates() -> None:
    shown = {f.label: f.text for f in shown_fields(RESULT, "de_DE")}
    assert shown["Contract value"] == "1.883.000\xa0€" and shown["Agreement date"] == "11.07.2006"


def test_each_passage_once_with_the_fields_it_supports() -> None:
    passages = evidence_passages(RESULT)
    assert [(p.text, p.labels) for p in passages] == [
        (SENTENCE, ("Title", "Parties", "Agreement date")),
        ("Either party may give sixty (60) days' notice.", ("Notice period",)),
    ]


@pytest.mark.parametrize("result", [
    {"pages": 3, "scanned": False, "language": "de", "tags": ["a", None, "b"], "meta": {"ocr_engine": "x"}},
    {"evidence": "not a mapping", "value": {"amount": True}},
])
def test_other_processors_results_are_shown_by_type(result: dict[str, object]) -> None:
    shown = {f.label: f.text for f in shown_fields(result, "en_US")}
    for text in shown.values():
        assert "{" not in text and "null" not in text and "None" not in text
    if "pages" in result:
        assert shown == {"Pages": "3", "Scanned": "No", "Language": "de", "Tags": "a; b",
                         "Meta": "Ocr engine: x"}
    assert evidence_passages(result) == []  # none, or not in a form we can read: no passage, no error
