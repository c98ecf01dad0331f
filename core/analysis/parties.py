"""Parties: who the contract is between, from the best source the document offers.

In order: the opening's alias definitions (preamble.py), the opening's party list (party_list.py) or
role labels ("Party A (Shipper): ZTO Express Co., Ltd.", whichever reads more like company names), and
the signature blocks ("Signed for and on behalf of X LIMITED") for parties the opening does not name.
"""

from __future__ import annotations

import difflib
import re

from core.analysis.names import SUFFIX as _SUFFIX
from core.analysis.names import SUFFIX_END as _SUFFIX_END
from core.analysis.names import clean_name as _clean
from core.analysis.party_list import NAME as _NAME
from core.analysis.party_list import Parties, preamble_list
from core.analysis.preamble import alias_parties
from core.analysis.text import Document

__all__ = ["Parties", "parties"]

# Signature blocks name the parties too: "Signed for and on behalf of DATEC (PNG) LIMITED".
_SIGNATURE = re.compile(
    r"\b(?:on\s+behalf\s+of|SIGNED(?:,?\s+SEALED)?(?:\s+AND\s+DELIVERED)?\s+by|EXECUTED\s+by)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _same(a: str, b: str) -> bool:
    """One company written twice ("Bank of South Pacific Limited", "BANK SOUTH PACIFIC LIMITED")."""
    return difflib.SequenceMatcher(None, _name_key(a), _name_key(b)).ratio() >= 0.9


def _signatories(doc: Document) -> list[tuple[str, int]]:
    """Company names (with a corporate suffix) that sign the contract, in order of appearance."""
    found: list[tuple[str, int]] = []
    for match in _SIGNATURE.finditer(doc.flat):
        name_match = _NAME.match(doc.flat, match.end())
        if not name_match:
            continue
        name = _clean(name_match.group())
        if name and _SUFFIX_END.search(name) and not any(_same(name, n) for n, _ in found):
            found.append((name, name_match.start()))
        if len(found) >= 10:
            break
    return found


# An order form or cover sheet labels the parties: "Customer: Initech LLC".
_ROLE_LABEL = re.compile(
    r"^(?:Customer|Client|Supplier|Vendor|(?:Service\s+)?Provider|Licensor|Licensee|Buyer|Seller|Purchaser|"
    r"Contractor|Consultant|Landlord|Tenant|Lessor|Lessee|Employer|Employee|Party\s+(?:[A-D]|[1-4]|One|Two))"
    # "Party A (Shipper):": the party's role in brackets after its label.
    r"\s*(?:\([A-Za-z ]{1,30}\))?\s*(?:name)?\s*[:：]\s*(?P<rest>\S.*)$",
    re.IGNORECASE,
)


def _labelled(doc: Document) -> list[str]:
    names: list[str] = []
    for line in doc.lines:
        label = _ROLE_LABEL.match(line)
        if not label:
            continue
        match = _NAME.match(label.group("rest"))
        name = _clean(match.group()) if match else None
        if name and not any(_same(name, n) for n in names):
            names.append(name)
    return names


_JOINT = re.compile(
    rf"^(?P<a>.+?(?:^|[\s,]){_SUFFIX})\s*,?\s+(?:and|AND|&)\s+(?P<b>.+?(?:^|[\s,]){_SUFFIX})$"
)


def _split_joint(names: list[str]) -> list[str]:
    """'WYZZ, Inc. and WYZZ Licensee, Inc. (collectively "WYZZ")': two companies under one alias."""
    split: list[str] = []
    for name in names:
        joint = _JOINT.match(name)
        split += [joint.group("a"), joint.group("b")] if joint else [name]
    return split


def _companies(names: list[str]) -> int:
    return sum(1 for name in names if _SUFFIX_END.search(name))


def parties(doc: Document) -> Parties | None:
    defined, _ = alias_parties(doc.flat)
    if len(defined) >= 2:
        first_name, first_at = defined[0]
        evidence = doc.sentence(first_at, first_at + len(first_name))
        return Parties(_split_joint([n for n, _ in defined]), evidence)
    preamble = preamble_list(doc)
    labelled = _labelled(doc)
    # Labels ("Party A (Shipper): ZTO Express Co., Ltd.") win over a list read from line heads when their
    # names read more like company names: the line heads of a form are its field labels ("Address").
    found = preamble.names if preamble is not None else []
    if len(found) >= 2 and _companies(labelled) <= _companies(found):
        return preamble
    if len(labelled) >= 2:
        first = doc.flat.find(labelled[0])
        return Parties(labelled, doc.sentence(max(first, 0), max(first, 0) + len(labelled[0])))
    if preamble is not None and len(preamble.names) >= 2:
        return preamble
    # No party list in the opening (or only one name): the signature blocks say who signs.
    signed = _signatories(doc)
    names = list(preamble.names) if preamble else []
    keys = {_name_key(n) for n in names}
    added = [(n, at) for n, at in signed if _name_key(n) not in keys and not any(_same(n, m) for m in names)]
    if not added:
        return preamble
    names += [n for n, _ in added]
    evidence = preamble.evidence if preamble else doc.sentence(added[0][1], added[0][1] + len(added[0][0]))
    return Parties(names, evidence)
