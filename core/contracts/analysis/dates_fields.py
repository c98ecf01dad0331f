"""Agreement date and effective date: where contracts state them, in order of how explicit the wording is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.contracts.analysis.dates import parse_match
from core.contracts.analysis.patterns import date_group
from core.contracts.analysis.prose import Document
from core.contracts.analysis.signatures import last_signing_date
from core.contracts.analysis.whose_date import refers_elsewhere

_D = date_group("d")
_PREAMBLE_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Found:
    value: date
    evidence: str
    start: int


def _date_of(match: re.Match[str]) -> date | None:
    # Re-run the plain date pattern on the date group's text: one parser for every embedding.
    from core.contracts.analysis.dates import DATE_RE

    inner = DATE_RE.search(match.group("d"))
    return parse_match(inner) if inner else None


def _first(doc: Document, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> Found | None:
    end = len(doc.flat) if end is None else end
    for match in doc.near_dates(pattern, start, end):
        if refers_elsewhere(doc.flat, match):
            continue
        value = _date_of(match)
        if value is not None:
            return Found(value, doc.sentence(match.start("d"), match.end("d")), match.start("d"))
    return None


_AGREEMENT_CUES = [
    # "Agreement Date" / "Date of this Agreement" / a form's "Contract Date:", "Execution Date:" defined
    re.compile(
        rf"\b(?:(?:Agreement|Contract|Execution|Signing|Signature)\s+Date|Date\s+of\s+(?:this\s+|the\s+)?"
        rf"(?:Agreement|Contract|Execution|Signing|Signature))\"?\s*"
        rf"(?:means|shall\s+mean|shall\s+be|is|:)\s*(?:the\s+)?{_D}",
        re.IGNORECASE,
    ),
    # "made / entered into / dated (as of) (this) DATE", with a short gap for "and entered into", places.
    re.compile(
        rf"\b(?:dated|made|entered\s+into|executed|concluded|signed|agreed)\b[^.;]{{0,80}}?"
        rf"(?:\b(?:as\s+of|on|this|of|from|effective)\s+(?:this\s+|the\s+)?|,\s*|\s){_D}",
        re.IGNORECASE,
    ),
]
_AS_OF = re.compile(rf"\bas\s+of\s+(?:this\s+|the\s+)?{_D}", re.IGNORECASE)
# "executed on this 4th day of April", "IN WITNESS WHEREOF, ... have executed this Agreement as of DATE".
_SIGNED_ON = re.compile(
    rf"(?:\b(?:signed|executed|dated)\b[^.;]{{0,40}}?\b(?:this|on|as\s+of)\s+(?:the\s+)?|"
    rf"(?:IN\s+WITNESS\s+WHEREOF|INTENDING\s+TO\s+BE\s+LEGALLY\s+BOUND|have\s+(?:signed|executed)\s+this\s+"
    rf"(?:Agreement|Contract))[^;]{{0,120}}?\b(?:as\s+of|on|this|dated)\s+(?:the\s+|this\s+)?){_D}",
    re.IGNORECASE,
)
_STATED = re.compile(
    rf"\b(?:this|the)\s+(?:Agreement|Contract)\s+(?:is|was|has\s+been)\s+(?:dated|made|entered\s+into|"
    rf"executed|signed)\s+(?:as\s+of\s+|on\s+|this\s+)?(?:the\s+)?{_D}",
    re.IGNORECASE,
)
# A letter's or form's own date at its head: "Date: 27 April 2006" (not "Effective Date:", "Open Date:").
_DATE_LABEL = re.compile(rf"(?<![A-Za-z] )(?<![A-Za-z])\b(?:Date|Dated)\s*:\s*{_D}", re.IGNORECASE)
_LABEL_HEAD_CHARS = 1000
_RECITALS = re.compile(r"\b(?:WHEREAS|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H|RECITALS|Recitals)\b")
_HEADING_DATE = re.compile(rf"(?:^|\s){_D}", re.IGNORECASE)

_EFFECTIVE_CUES = [
    # 'DATE (the "Effective Date")'
    re.compile(rf"{_D}\)?\s*,?\s*\(\s*(?:the\s+|this\s+)?\"?Effective\s+Date", re.IGNORECASE),
    # '"Effective Date" means DATE' / 'the Effective Date of this Agreement shall be DATE'
    # ... and 'The Effective Date of this Agreement (herein called the "Effective Date") is DATE', a form's
    # 'Addendum Effective Date March 3, 2011'
    re.compile(
        rf"\bEffective\s+Date\"?(?:\s+of\s+this\s+(?:Agreement|Contract))?\s*(?:\"\s*)?"
        rf"(?:\([^()]{{0,60}}\)\s*)?(?:(?:means|shall\s+mean|shall\s+be|is|will\s+be|:)\s*)?(?:the\s+)?{_D}",
        re.IGNORECASE,
    ),
    # '"Effective Date" shall mean the Date of Installation of the PSS in Kuwait, i.e. December 10, 1993'
    re.compile(
        rf"\bEffective\s+Date\"?\s*(?:means|shall\s+mean)\s+(?:[^.;]|i\.e\.|e\.g\.){{0,100}}?"
        rf"(?:i\.e\.,?|namely|being|which\s+is|viz\.?|to\s+wit)\s+(?:on\s+)?(?:the\s+)?{_D}",
        re.IGNORECASE,
    ),
    # 'effective as of DATE', 'made and effective from 5th Day of March, 2019'
    re.compile(
        rf"\beffective\s+(?:as\s+of|on|from|upon)\s+(?:this\s+|the\s+)?{_D}",
        re.IGNORECASE,
    ),
]
# The term starting on a stated date: 'shall begin on January 1, 2000', 'commence upon April 1, 1999'.
_COMMENCE = re.compile(
    rf"(?:\b(?:term|agreement|contract)\b[^.;]{{0,80}}?\b(?:commence[sd]?|begins?|start(?:s|ed)?|"
    rf"come\s+into\s+(?:force|effect))\s+(?:on|upon|as\s+of|from)\s+(?:the\s+)?|"
    rf"\bcommencement\s+date\b[^.;:]{{0,40}}?(?:\b(?:is|will\s+be|shall\s+be|means)\s+|:\s*)(?:the\s+)?){_D}",
    re.IGNORECASE,
)
# Effective date defined by reference to the agreement's own date (no separate date to find).
_EFFECTIVE_IS_AGREEMENT = re.compile(
    r"\bEffective\s+Date\"?\s*(?:means|shall\s+mean|shall\s+be|is)\s+(?:the\s+)?date\s+(?:of\s+|first\s+|"
    r"hereof|on\s+which|this)",
    re.IGNORECASE,
)


# The opening sentence: "This [Title] Agreement ... is made / entered into / dated ... between".
_OPENING = re.compile(
    r"\b(?:This|THIS)\b[^.;]{0,200}?\b(?:made|entered\s+into|dated|executed|effective\s+as\s+of|"
    r"by\s+and\s+(?:between|among))\b"
)
_OPENING_SCAN = 60_000


def _later_opening(flat: str) -> int | None:
    """Where the opening sentence starts when a cover and a long table of contents push it out of the
    document's head; None when it is in the head."""
    head = _OPENING.search(flat, _PREAMBLE_CHARS // 2, min(len(flat), _OPENING_SCAN))
    return None if head is None else max(0, head.start() - 500)


def _opening_date(doc: Document, begin: int) -> Found | None:
    """The date the opening gives the contract, read from ``begin`` up to the recitals."""
    window = min(len(doc.flat), begin + _PREAMBLE_CHARS)
    # The recitals tell the history ("X and Y entered into a Supply Agreement dated ..."): the contract's
    # own date is stated before them.
    recitals = _RECITALS.search(doc.flat, begin + 200, window)
    opening = recitals.start() if recitals else window
    best: Found | None = None
    for pattern in _AGREEMENT_CUES:
        found = _first(doc, pattern, begin, opening)
        if found and (best is None or found.start < best.start):
            best = found
    return best or _first(doc, _EFFECTIVE_CUES[0], begin, window) or _first(doc, _AS_OF, begin, window)


def agreement_date(doc: Document) -> Found | None:
    window = min(len(doc.flat), _PREAMBLE_CHARS)
    best = _opening_date(doc, 0)
    if best is None:
        later = _later_opening(doc.flat)
        best = _opening_date(doc, later) if later is not None else None
    if best is None:
        best = _first(doc, _DATE_LABEL, 0, min(window, _LABEL_HEAD_CHARS))
    if best is None:
        best = _first(doc, _STATED) or _first(doc, _SIGNED_ON)
    if best is None:
        # No date in the opening: the contract is dated when its last party signs.
        signed = last_signing_date(doc)
        if signed is not None:
            best = Found(signed.value, doc.sentence(signed.start, signed.end), signed.start)
    if best is None:
        # "entered into as of the Effective Date": the agreement is dated its effective date.
        for pattern in _EFFECTIVE_CUES:
            best = _first(doc, pattern)
            if best:
                break
    if best is None:
        # A date alone at the head of the document (the cover or the opening line) dates the contract.
        best = _first(doc, _HEADING_DATE, 0, min(window, 1500))
    if best is None:
        best = _first(doc, _COMMENCE)
    return best


def effective_date(doc: Document, agreed: Found | None) -> tuple[Found | None, bool]:
    """The effective date, and whether it was taken from the agreement date (no separate date stated)."""
    for pattern in _EFFECTIVE_CUES:
        found = _first(doc, pattern)
        if found:
            return found, False
    found = _first(doc, _COMMENCE)
    if found:
        return found, False
    if agreed is not None:
        # A contract takes effect on its date unless it says otherwise.
        match = _EFFECTIVE_IS_AGREEMENT.search(doc.flat)
        evidence = doc.sentence(match.start(), match.end()) if match else agreed.evidence
        return Found(agreed.value, evidence, agreed.start), True
    return None, False
