"""Parties: who the contract is between, from the best source the document offers.

In order: the opening's alias definitions (preamble.py), the opening's party list (party_list.py) or
role labels ("Party A (Shipper): ZTO Express Co., Ltd.", whichever reads more like company names), and
the signature blocks ("Signed for and on behalf of X LIMITED") for parties the opening does not name.
"""

from __future__ import annotations

import difflib
import re

from core.contracts.analysis.names import SUFFIX as _SUFFIX
from core.contracts.analysis.names import SUFFIX_END as _SUFFIX_END
from core.contracts.analysis.names import clean_name as _clean
from core.contracts.analysis.party_list import NAME as _NAME
from core.contracts.analysis.party_list import Parties, preamble_list
from core.contracts.analysis.preamble import alias_parties
from core.contracts.analysis.prose import Document
from core.contracts.analysis.signature_parties import signing_companies

__all__ = ["Parties", "parties"]

# Signature blocks name the parties too: "Signed for and on behalf of DATEC (PNG) LIMITED".
_SIGNATURE = re.compile(
    r"\b(?:on\s+behalf\s+of|SIGNED(?:,?\s+SEALED)?(?:\s+AND\s+DELIVERED)?\s+by|EXECUTED\s+by)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def _name_key(name: str) -> str:
    """'The Meet Group, Inc.' and 'MEET GROUP, INC.' are one name: no article, case or punctuation (the
    suffix stays: 'D-Beta One GP, LP' and 'D-Beta One GP, LLC' are two)."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^the\s+", "", name.strip().lower()))


def _same(a: str, b: str) -> bool:
    """One company written twice ("Bank of South Pacific Limited", "BANK SOUTH PACIFIC LIMITED")."""
    return difflib.SequenceMatcher(None, _name_key(a), _name_key(b)).ratio() >= 0.9


def _signatories(doc: Document) -> list[tuple[str, int]]:
    """Company names (with a corporate suffix) that sign the contract, in order of appearance."""
    found: list[tuple[str, int]] = []
    # Only around the words the pattern cannot match without: an IGNORECASE scan of the whole text cost
    # more than reading the signature blocks.
    for match in doc.near_words(_SIGNATURE, ("behalf", "signed", "executed"), 12, 60):
        name_match = _NAME.match(doc.flat, match.end())
        if not name_match:
            continue
        # The name ends with its paragraph ("... ACME LIMITED", then "Signature: ____" below it).
        name = _clean(name_match.group().split("\u2029")[0])
        if name and _SUFFIX_END.search(name) and not any(_same(name, n) for n, _ in found):
            found.append((name, name_match.start()))
        if len(found) >= 10:
            break
    return found


# An order form or cover sheet labels the parties: "Customer: Initech LLC".
_ROLE_LABEL = re.compile(
    r"(?:^|(?<=\s))(?:The\s+)?(?:Customer|Client|Supplier|Vendor|(?:Service\s+)?Provider|Licensor|Licensee|Buyer|Seller|Purchaser|"
    r"Contractor|Consultant|Landlord|Tenant|Lessor|Lessee|Employer|Employee|Party\s+(?:[A-D]|[1-4]|One|Two))"
    # "Party A (Shipper):", "The buyer/End-User:": the role in brackets or after a slash.
    r"(?:\s*/\s*[A-Za-z-]{2,20})?\s*(?:\([A-Za-z ]{1,30}\))?\s*(?:name)?\s*[:：]\s*(?P<rest>\S.*)",
    re.IGNORECASE,
)


_NEXT_FIELD = re.compile(r"\s+(?=[A-Z][A-Za-z.]{1,15}\s*[:：])")


def _labelled(doc: Document) -> list[str]:
    names: list[str] = []
    # Labels are read in the opening's lines; a text file without line breaks has them mid-line.
    labels = (
        label for line in doc.lines if ":" in line or "：" in line for label in _ROLE_LABEL.finditer(line)
    )
    for label in labels:
        # The name ends where the form's next field starts: "... Co., Ltd. ADD: Tel No.:".
        rest = _NEXT_FIELD.split(label.group("rest"), maxsplit=1)[0]
        match = _NAME.match(rest)
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
    signers: list[tuple[str, int]] = []
    if len(found) < 2 or (preamble is not None and preamble.defined < len(found)):
        signers = _signatories(doc) + signing_companies(doc)
    if len(found) >= 2 and preamble is not None and preamble.defined < len(found):
        # A list read from the opening's line heads ("COMMENCEMENT DATE ...", "CFO Title") whose names are
        # not all defined nor all companies gives way to the signature blocks' companies.
        signed = [n for n, _ in signers]
        if len(signed) >= 2 and _companies(found) < min(len(found), len(signed)):
            return _found_at(doc, _distinct(signed))
    if len(found) >= 2 and _companies(labelled) <= _companies(found):
        return preamble
    if len(labelled) >= 2:
        return _found_at(doc, labelled)
    if preamble is not None and len(preamble.names) >= 2:
        return preamble
    # No party list in the opening (or only one name): the signature blocks say who signs, after the one
    # party the opening names ("by The Meet Group, Inc. (the "Company") and each of the persons set forth
    # on the signature page", "The buyer: Shenzhen LOHAS ... Co., Ltd. The seller: ____").
    if defined:
        preamble = _found_at(doc, [defined[0][0]])
    elif labelled and not found:
        preamble = _found_at(doc, labelled)
    names = list(preamble.names) if preamble else []
    added = [name for name in _distinct([*names, *(n for n, _ in signers)]) if name not in names]
    if not added:
        return preamble
    evidence = preamble.evidence if preamble else _found_at(doc, added).evidence
    return Parties(names + added, evidence)


def _distinct(names: list[str]) -> list[str]:
    """The names without repeats ('The Meet Group, Inc.' and 'THE MEET GROUP, INC.' are one)."""
    kept: list[str] = []
    for name in names:
        if not any(_same(name, k) or _name_key(name) == _name_key(k) for k in kept):
            kept.append(name)
    return kept


def _found_at(doc: Document, names: list[str]) -> Parties:
    """The names, with the sentence where the first is written as evidence."""
    first = max(doc.flat.find(names[0]), 0)
    return Parties(names, doc.sentence(first, first + len(names[0])))
