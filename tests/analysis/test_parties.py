"""Parties: labels, names with brackets or addresses, joint definitions, quoted aliases, redactions."""

from __future__ import annotations

import pytest

from core.analysis import analyze_text


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
    ],
)  # fmt: skip
def test_party_forms(text: str, expected: list[str]) -> None:
    assert analyze_text(text)["parties"] == expected
