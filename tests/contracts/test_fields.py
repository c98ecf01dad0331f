"""Field extraction: synthetic contracts with known answers, and rules for how contracts word things."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core.cli.analysis_commands import analyze_items
from core.contracts.analysis import FIELDS, analyze_text
from core.contracts.analysis.risk import RISK_FLAGS
from core.contracts.analysis.structured import analyze_entry
from core.contracts.contract import ContractRejected

KNOWN = (
    "title", "contract_type", "parties", "agreement_date", "effective_date", "expiration_date", "term",
    "auto_renewal", "renewal_term", "notice_period_days", "governing_law", "value",
)  # fmt: skip


def test_synthetic_contracts_match_their_answers(demo_dir: Path) -> None:
    answers = json.loads((demo_dir / ".answers.json").read_text())
    records = {r["name"]: r for r in analyze_items([str(demo_dir)])}
    assert set(answers) <= set(records)
    wrong = [
        f"{name}.{key}: {records[name]['result'][key]!r} != {expected[key]!r}"
        for name, expected in answers.items()
        for key in KNOWN
        if records[name]["result"][key] != expected[key]
    ]
    assert not wrong, "\n".join(wrong)
    broken = {n: r for n, r in records.items() if n.startswith("broken-")}
    assert broken and all(r["outcome"] == "rejected" and r["error"] for r in broken.values())


def test_every_key_present_and_json_serializable(contract_text: str) -> None:
    result = analyze_text(contract_text, as_of=date(2022, 1, 1))
    assert tuple(result) == FIELDS
    json.dumps(result)
    assert result["parties"] == ["Acme Widgets, Inc.", "Globex Services LLC"]
    assert result["expiration_date"] == "2024-03-03"
    assert result["term"] == "3 years"
    assert result["auto_renewal"] is True
    assert result["renewal_term"] == "1 year"
    assert result["notice_period_days"] == 60
    assert result["value"] == {"amount": 1250000.0, "currency": "USD"}
    assert result["risk_flags"] == ["auto_renews"]
    for key in ("parties", "agreement_date", "effective_date", "expiration_date", "governing_law", "value"):
        assert result["evidence"][key], key


def test_missing_fields_are_null_not_guessed() -> None:
    result = analyze_text("Meeting notes. We talked about lunch and the weather on Tuesday.")
    empty = ("agreement_date", "effective_date", "expiration_date", "term", "auto_renewal", "governing_law",
             "value", "notice_period_days", "renewal_term")  # fmt: skip
    for key in empty:
        assert result[key] is None, key
    assert result["parties"] == []
    assert result["evidence"] == {} or set(result["evidence"]) <= {"title", "contract_type"}
    assert {"no_governing_law", "no_end_date", "parties_unclear", "no_effective_date"} <= set(
        result["risk_flags"]
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "This Agreement is made this 22nd day of August, 2005 by and between A Inc. and B Ltd.",
            "2005-08-22",
        ),
        ("THIS AGREEMENT is dated 15TH DECEMBER 2001 between A Inc. and B Ltd.", "2001-12-15"),
        ("This Agreement is entered into as of June 1st, 2020 by Acme Inc. and Beta LLC.", "2020-06-01"),
        ("This Agreement is made on 18 May 2000 between Acme Inc. and Beta LLC.", "2000-05-18"),
        ("This Agreement dated as of 2019-08-01 between Acme Inc. and Beta LLC.", "2019-08-01"),
        ("This Agreement is dated 18/9/2008 between Acme Inc. and Beta LLC.", "2008-09-18"),
        (
            "This Agreement is made this 1s t day of October 2008 between Acme Inc. and Beta LLC.",
            "2008-10-01",
        ),
        ("This Agreement is made this ____ day of ________, 2000 between Acme Inc. and Beta LLC.", None),
    ],
)
def test_agreement_date_forms(sentence: str, expected: str | None) -> None:
    assert analyze_text(sentence)["agreement_date"] == expected


def test_date_of_another_document_is_not_the_agreement_date() -> None:
    text = (
        "This Maintenance Agreement is entered into by Owner and Provider. The Provider shall honour the "
        'warranties under the Supply Agreement dated September 30, 2009 (the "Supply Agreement"). '
        "IN WITNESS WHEREOF, the parties have signed this Agreement. Date: December 11, 2009"
    )
    assert analyze_text(text)["agreement_date"] == "2009-12-11"


@pytest.mark.parametrize(
    ("clause", "law"),
    [
        ("This Agreement shall be governed by the laws of the State of New York, without regard to others.",
         "New York"),
        ("This Agreement is governed by the laws of England and Wales and the parties submit to its courts.",
         "England and Wales"),
        ("This Agreement is governed by the laws of Victoria, Australia and the parties submit to it.",
         "Victoria"),
        ("The laws of the Commonwealth of Massachusetts shall govern this Agreement.",
         "Massachusetts"),
        ("This Agreement shall be governed by Swiss law.", "Switzerland"),
        ("THIS AGREEMENT SHALL BE GOVERNED BY THE LAWS OF THE STATE OF NEW YORK.", "New York"),
        ("This Agreement is governed by the laws of the People's Republic of China.",
         "People's Republic of China"),
        ("This Agreement shall be governed by the laws of China.", "People's Republic of China"),
        ("This Agreement shall be governed by English law.", "England and Wales"),
        ("Disputes are governed by PRC Laws.", "People's Republic of China"),
        ("This contract shall be construed under the laws and decisions of the State of Michigan.",
         "Michigan"),
    ],
)  # fmt: skip
def test_governing_law_forms(clause: str, law: str) -> None:
    assert analyze_text(clause)["governing_law"] == law


def test_the_clause_choosing_this_agreements_law_beats_a_law_named_elsewhere() -> None:
    text = (
        "Counsel's opinion shall be limited to matters governed by federal laws and by the laws of "
        "Tennessee. "
        "This Agreement shall be construed in accordance with the laws of the State of New York without "
        "regard to principles of conflicts of law."
    )
    assert analyze_text(text)["governing_law"] == "New York"


@pytest.mark.parametrize(
    ("clause", "law"),
    [
        ("All disputes hereunder shall be resolved by arbitration in McLean, Virginia, pursuant to the rules "
         "of the American Arbitration Association.", "Virginia"),
        ("Any dispute shall be submitted to the Beijing Arbitration Commission for arbitration.", "Beijing"),
        ("Any dispute shall be subject to the jurisdiction of the People's Court where this Agreement is "
         "signed.", "People's Republic of China"),
    ],
)  # fmt: skip
def test_without_a_choice_of_law_the_forum_is_reported_and_flagged(clause: str, law: str) -> None:
    result = analyze_text(clause)
    assert result["governing_law"] == law
    assert "no_governing_law" in result["risk_flags"]
    assert result["evidence"]["governing_law"].startswith("(no choice-of-law clause")


def test_a_court_named_outside_a_dispute_clause_is_not_a_law() -> None:
    text = "The Supplier's office is near the courts of Delaware. The Customer pays monthly."
    assert analyze_text(text)["governing_law"] is None


def test_incorporation_is_not_governing_law() -> None:
    text = "Acme Inc., a company organized under the laws of the State of Delaware, agrees to deliver goods."
    assert analyze_text(text)["governing_law"] is None


@pytest.mark.parametrize(
    ("clause", "term", "expiration", "auto", "renewal", "notice"),
    [
        ("This Agreement is made as of January 1, 2020. The term of this Agreement shall be five (5) years.",
         "5 years", "2025-01-01", None, None, None),
        ("This Agreement is made as of January 1, 2020. This Agreement shall continue until "
         "December 31, 2022.",
         None, "2022-12-31", None, None, None),
        ("This Agreement is made as of January 1, 2020. The initial term is one-year from the Launch Date.",
         "1 year", "2021-01-01", None, None, None),
        ("This Agreement is made as of January 1, 2020. The term of this Agreement is 12 months and "
         "shall renew "
         "automatically for successive twelve (12) month periods unless either party gives ninety (90) days "
         "prior written notice of non-renewal.", "12 months", "2021-01-01", True, "12 months", 90),
        ("This Agreement is made as of January 1, 2020. The term is two (2) years and may be renewed only by "
         "mutual written agreement.", "2 years", "2022-01-01", False, None, None),
        ("This Agreement is made as of January 1, 2020. During the term of this Agreement and for a "
         "period of "
         "two (2) years thereafter, Distributor shall not compete.", None, None, None, None, None),
    ],
)  # fmt: skip
def test_term_renewal_notice(
    clause: str,
    term: str | None,
    expiration: str | None,
    auto: bool | None,
    renewal: str | None,
    notice: int | None,
) -> None:
    result = analyze_text(clause)
    assert (result["term"], result["expiration_date"]) == (term, expiration)
    assert (result["auto_renewal"], result["renewal_term"], result["notice_period_days"]) == (
        auto,
        renewal,
        notice,
    )


@pytest.mark.parametrize(
    ("preamble", "parties"),
    [
        ('This Agreement is made by and between Rogers Cable Inc. ("Rogers") and EuroMedia Holdings Corp. '
         '("Licensor").', ["Rogers Cable Inc.", "EuroMedia Holdings Corp."]),
        ("THIS AGREEMENT is dated May 3, 2006. BETWEEN: GLAMIS GOLD LTD., a company incorporated under "
         'the laws of British Columbia ("Glamis") AND: WESTERN COPPER CORPORATION, a company '
         '("Western Copper") WHEREAS:',
         ["GLAMIS GOLD LTD.", "WESTERN COPPER CORPORATION"]),
        ("This Agreement is entered into on February 08, 2007 between the following two parties: Party A: "
         "Beijing Science and Technology Co., Ltd. Address: Room 1 Party B: ShenZhen Communication Co., Ltd. "
         "Address: Block A. WHEREAS:",
         ["Beijing Science and Technology Co., Ltd.", "ShenZhen Communication Co., Ltd."]),
        ('This Agreement is entered into by and between (a) Skype Communications, S.A. ("Skype"), a company; '
         '(b) TOM Online (BVI) Limited ("Online BVI"), a company; and (c) Tel-Online Limited ("Company").',
         ["Skype Communications, S.A.", "TOM Online (BVI) Limited", "Tel-Online Limited"]),
        ('This Agreement is entered into by and between Centrack International, a Florida corporation ("the '
         'Customer"), and i-on interactive, a Florida corporation ("i-on").',
         ["Centrack International", "i-on interactive"]),
    ],
)  # fmt: skip
def test_party_lists(preamble: str, parties: list[str]) -> None:
    assert analyze_text(preamble)["parties"] == parties


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        (
            "Customer shall pay a total contract value of $1,250,000.",
            {"amount": 1250000.0, "currency": "USD"},
        ),
        ("The aggregate fees are EUR 2.5 million.", {"amount": 2500000.0, "currency": "EUR"}),
        ("The total price is 300,000 pounds sterling.", {"amount": 300000.0, "currency": "GBP"}),
        ("A penalty of $500 applies per late day.", None),
    ],
)
def test_value(sentence: str, value: dict | None) -> None:
    assert analyze_text(sentence)["value"] == value


def test_risk_flags_relative_to_reference_date(contract_text: str) -> None:
    assert "expires_within_90_days" in analyze_text(contract_text, as_of=date(2024, 1, 15))["risk_flags"]
    assert "expired" in analyze_text(contract_text, as_of=date(2024, 6, 1))["risk_flags"]
    assert set(analyze_text(contract_text)["risk_flags"]) <= set(RISK_FLAGS)


def test_today_can_be_pinned(monkeypatch: pytest.MonkeyPatch, contract_text: str) -> None:
    monkeypatch.setenv("CONTRACT_BATCH_TODAY", "2024-01-15")
    assert "expires_within_90_days" in analyze_text(contract_text)["risk_flags"]


def test_structured_entry_fields_win_and_cite_their_column() -> None:
    entry = {
        "Contract Name": "C-1",
        "Party A": "Acme Inc.",
        "Party B": "Globex LLC",
        "Start Date": "03/04/2021",
        "End-Date": "2023-03-03",
        "Auto Renewal": "yes",
        "Notice": "2 months",
        "Governing Law": "State of Texas",
        "Contract Value": "$12,500.50",
    }
    result = analyze_entry(entry)
    assert result["parties"] == ["Acme Inc.", "Globex LLC"]
    assert result["effective_date"] == "2021-03-04"
    assert result["expiration_date"] == "2023-03-03"
    assert result["auto_renewal"] is True
    assert result["notice_period_days"] == 60
    assert result["value"] == {"amount": 12500.5, "currency": "USD"}
    assert result["governing_law"] == "Texas"
    assert (
        "Party" not in result["evidence"]["governing_law"] and "entry" in result["evidence"]["governing_law"]
    )


def test_structured_entry_without_anything_is_rejected() -> None:
    with pytest.raises(ContractRejected):
        analyze_entry({"colour": "blue"})


def test_order_form_labels() -> None:
    form = (
        "ORDER FORM\nCustomer: Initech LLC\nSupplier: Hooli Inc.\nEffective Date: January 1, 2024\n"
        "Term: 24 months\nGoverning Law: Delaware\nTotal Fees: $48,000\n"
    )
    result = analyze_text(form)
    assert result["parties"] == ["Initech LLC", "Hooli Inc."]
    assert (result["term"], result["expiration_date"]) == ("24 months", "2026-01-01")
    assert result["governing_law"] == "Delaware"
    assert result["value"] == {"amount": 48000.0, "currency": "USD"}


def test_incorporation_clause_does_not_hide_the_choice_of_law() -> None:
    text = (
        "This Agreement is entered into as of April 3, 2017 by and among Alpha Holdings, Inc., a Delaware "
        'corporation ("Alpha"), and Beta Trading Co., Ltd., a company organized under the laws of Japan '
        '("Beta"). This Agreement shall be governed by the laws of Japan, without regard to conflicts rules.'
    )
    result = analyze_text(text)
    assert result["governing_law"] == "Japan"
    assert result["parties"] == ["Alpha Holdings, Inc.", "Beta Trading Co., Ltd."]


def test_places_in_a_party_description_are_not_parties() -> None:
    text = (
        "This Agreement is dated 1 March 2023 between (1) FOO LIMITED incorporated and registered in England "
        'and Wales with company number 01234567 ("Foo") and (2) BAR GMBH, a company registered in Germany, '
        'with offices in Berlin and Munich ("Bar").'
    )
    assert analyze_text(text)["parties"] == ["FOO LIMITED", "BAR GMBH"]


def test_term_from_an_undated_event_is_an_estimate_and_says_so() -> None:
    text = (
        "This Agreement is made as of January 1, 2020. The term of this Agreement shall continue for one (1) "
        "year following the Launch Date, unless earlier terminated."
    )
    result = analyze_text(text)
    assert result["expiration_date"] == "2021-01-01"
    assert "expiration_estimated" in result["risk_flags"]
    assert result["evidence"]["expiration_date"].startswith("(estimate: the term runs from Launch Date")
