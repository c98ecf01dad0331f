"""Parties: labels, names with brackets or addresses, joint definitions, quoted aliases, redactions."""

from __future__ import annotations

import pytest

from core.contracts.analysis import analyze_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Role labels with the role in brackets; the form's other line heads ("Address") are not parties.
        ("Road Transportation Agreement\nParty A (Shipper): ZTO Express Co., Ltd.\nAddress: Building 1, "
         "No. 1685, Huazhi Road, Shanghai\nParty B (Carrier): Tonglu Tongze Logistics Ltd.\nAddress: 12 "
         "Floor, HSBC Tower, Tonglu County\nDue to the need for logistics business, Party A and Party B "
         "enter into this Agreement.",
         ["ZTO Express Co., Ltd.", "Tonglu Tongze Logistics Ltd."]),
        # A bracket inside the name, further words before its suffix; a redacted party is not a party.
        ('This Service Agreement is entered into by and between: Party A: Rise (Tianjin) Education '
         'Information Consulting Co., Ltd. ("Service Provider") Address: Room C209, Tianjin, China Party B: '
         '[•] ("Service Recipient") Address: [•] Whereas: 1. Service Provider is a company.',
         ["Rise (Tianjin) Education Information Consulting Co., Ltd."]),
        # Two companies under one alias are two parties.
        ('WYZZ, Inc. and WYZZ Licensee, Inc. (collectively "WYZZ") and Nexstar Broadcasting of Peoria, '
         'L.L.C. ("NEXSTAR") hereby enter into this Agreement.',
         ["WYZZ, Inc.", "WYZZ Licensee, Inc.", "Nexstar Broadcasting of Peoria, L.L.C."]),
        # An address run on after the suffix; aliases only quoted, without brackets.
        ('License Agreement "Agreement" between NLS-1 Pharma AG Alter Postplatz 2 6370 Stans Switzerland '
         '"Licensor" / "NLS" and Eurofarma Laboratorios S.A. Avenida Diniz 3465 Sao Paulo Brazil '
         '"Licensee" / "Eurofarma" (Licensor and Licensee each a "Party")',
         ["NLS-1 Pharma AG", "Eurofarma Laboratorios S.A."]),
        # A numbered company with a d/b/a name; a Romanian SRL.
        ("This Agreement is made and entered into by and between 695014 B.C. Ltd. dba Galaxy Telecom, having "
         'a principal office at 200 Water Street, Vancouver, Canada ("Galaxy") and Galaxy Telnet SRL, having '
         'a principal office at Aleea Malinului 11, Constanta, Romania ("Telnet") as of June 1, 2004.',
         ["695014 B.C. Ltd. dba Galaxy Telecom", "Galaxy Telnet SRL"]),
        # Trade names: kept with the company's name, with or without aliases.
        ('This Agreement is between Acme Inc., d/b/a Acme Widgets ("Acme"), and Beta LLC ("Beta").',
         ["Acme Inc., d/b/a Acme Widgets", "Beta LLC"]),
        ("This Agreement is between Acme Inc. dba Acme Widgets and Beta LLC.",
         ["Acme Inc. dba Acme Widgets", "Beta LLC."]),
        ("THIS AGREEMENT is made by NATIONAL FOOTBALL MUSEUM, INC. d/b/a Pro Football Hall of Fame, an Ohio "
         'nonprofit corporation ("PFHOF"), and HOF Village, LLC, a Delaware limited liability company '
         '("HOFV").', ["NATIONAL FOOTBALL MUSEUM, INC. d/b/a Pro Football Hall of Fame", "HOF Village, LLC"]),
    ],
)  # fmt: skip
def test_party_forms(text: str, expected: list[str]) -> None:
    assert analyze_text(text)["parties"] == expected


def test_parties_named_only_in_the_signature_blocks() -> None:
    text = (
        "NETZEE, INC. MAINTENANCE AGREEMENT\n\nThis Agreement provides for Netzee to provide maintenance. "
        "Bankers Bank agrees to pay fees.\n\nIN WITNESS WHEREOF, the undersigned have made and entered in "
        "this Agreement.\n\nNETZEE, INC. THE BANKERS BANK, a Georgia banking corporation\n\n"
        "By: /s/ Richard S. Eiswirth By: /s/ Kevin Tweddle\nName: Richard S. Eiswirth Name: Kevin Tweddle\n"
        "Title: SEVP & CFO Title: SVP & CFO"
    )
    assert analyze_text(text)["parties"] == ["NETZEE, INC.", "THE BANKERS BANK"]


def test_one_party_in_the_opening_the_others_on_the_signature_page() -> None:
    text = (
        "This AGREEMENT is made and entered into by The Meet Group, Inc., a Delaware corporation (the "
        '"Company"), and each of the persons set forth on the signature page hereto (each, an "Investor"). '
        "The parties agree as follows. 1. Board. The Company shall appoint a director.\n\n"
        "IN WITNESS WHEREOF, the parties have executed this Agreement.\n\nTHE MEET GROUP, INC.\n"
        "By: /s/ Geoff Cook Name: Geoff Cook Title: Chief Executive Officer\n"
        "HARVEST SMALL CAP PARTNERS, L.P.\nBy: /s/ Jeffrey Osher Name: Jeffrey Osher Title: Managing Member"
    )
    assert analyze_text(text)["parties"] == ["The Meet Group, Inc.", "HARVEST SMALL CAP PARTNERS, L.P."]


def test_a_form_with_one_labelled_party_and_a_blank_one() -> None:
    text = (
        "SUPPLY CONTRACT Contract No: Date: The buyer/End-User: Shenzhen LOHAS Supply Chain Management Co., "
        "Ltd. ADD: Tel No. : Fax No. : The seller: ADD: The Contract is concluded by the Buyer and Seller."
    )
    assert analyze_text(text)["parties"] == ["Shenzhen LOHAS Supply Chain Management Co., Ltd."]


_BODY = "SERVICES AGREEMENT\n\nThe services are described in Exhibit A. Fees are due monthly.\n\n"


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ("IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above."
         "\n\nACME INC., a Delaware corporation\nBy: /s/ John Doe\nIts: President\n\nBETA HOLDINGS LIMITED\n"
         "By: /s/ Jane Roe\nIts: Director", ["ACME INC.", "BETA HOLDINGS LIMITED"]),
        ("IN WITNESS WHEREOF the parties have signed.\n\nFor and on behalf of ACME LIMITED\n\nSignature: ____"
         "\n\nFor and on behalf of BETA GMBH\n\nSignature: ____", ["ACME LIMITED", "BETA GMBH"]),
        ("IN WITNESS WHEREOF, the parties have executed this Agreement.\n\nTHE REGENTS OF THE UNIVERSITY OF "
         "CALIFORNIA\nBy: /s/ A. Smith\nTitle: Director\n\nACME INC.\nBy: /s/ B. Jones\nTitle: CEO",
         ["THE REGENTS OF THE UNIVERSITY OF CALIFORNIA", "ACME INC."]),
    ],
)  # fmt: skip
def test_signature_block_layouts(blocks: str, expected: list[str]) -> None:
    assert analyze_text(_BODY + blocks)["parties"] == expected
