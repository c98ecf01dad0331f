"""Agreement date and effective date: where contracts state them, in order of how explicit the wording is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.analysis.dates import parse_match
from core.analysis.patterns import date_group
from core.analysis.signatures import last_signing_date
from core.analysis.text import Document

_D = date_group("d")
_PREAMBLE_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Found:
    value: date
    evidence: str
    start: int


def _date_of(match: re.Match[str]) -> date | None:
    # Re-run the plain date pattern on the date group's text: one parser for every embedding.
    from core.analysis.dates import DATE_RE

    inner = DATE_RE.search(match.group("d"))
    return parse_match(inner) if inner else None


# 'the EPC Agreement dated September 30, 2009 (the "EPC Agreement")': a date of another document. An alias
# that names a date ("Execution Date", "Signing Date") defines this contract's own date instead.
_OTHER_DOCUMENT_AFTER = re.compile(
    r"\s*,?\s*\(\s*(?:the\s+|this\s+)?\"(?!Effective|Agreement\"|Contract\"|Commencement|[^\"]{0,40}\bDate\")"
    r"[^\"]{1,60}\"\s*\)"
)
_OTHER_DOCUMENT_BEFORE = re.compile(
    r"\b(?:that\s+certain|under\s+the|pursuant\s+to\s+the|previously|amends|amending|amended)\b",
    re.IGNORECASE,
)
# What the clause before a date is about. A document introduced by another determiner ("entered into a
# Distribution Agreement ... dated", "the Phase 3 Document dated", "amends that certain Manufacturing
# Agreement between A and B dated") is not this contract, which is "This Agreement" or the clause's subject.
_DOCUMENT = (
    r"(?:agreement|contract|amendment|addendum|document|letter|memorandum|mou|lease|licen[cs]e|note|plan|"
    r"order|proposal|quotation|offer|instrument|indenture|deed|understanding|terms)s?"
)
_DOCUMENT_NOUN = re.compile(rf"\b{_DOCUMENT}\b", re.IGNORECASE)
_DETERMINER = re.compile(
    r"\b(?:this|a|an|the|that|certain|said|such|its|their|each|any|prior|existing|original)\b", re.IGNORECASE
)


_FINITE = re.compile(r"\b(?:is|are|was|were|shall|will|has|have|hereby)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[.;:]\s+(?=[A-Z\"(])|\u2029")


def _document_nouns(flat: str, start: int, end: int) -> list[re.Match[str]]:
    # A quoted noun is an alias ('(the "Agreement")'), the name of a document already introduced.
    return [n for n in _DOCUMENT_NOUN.finditer(flat, start, end) if flat[n.start() - 1 : n.start()] != '"']


def _determiner(flat: str, noun: re.Match[str]) -> str | None:
    """The determiner of a document noun's phrase: the last one within six words before it."""
    phrase = re.split(r"[.;:()]", flat[max(0, noun.start() - 60) : noun.start()])[-1]
    found = list(_DETERMINER.finditer(phrase))
    if not found or len(phrase[found[-1].end() :].split()) > 6:
        return None
    return found[-1].group().lower()


def _about_other_document(flat: str, cue_start: int, date_start: int) -> bool:
    """Whether the date belongs to a document other than this one.

    "entered into a Distribution Agreement, effective as of DATE", "the Phase 3 Document dated DATE",
    "amends that certain Manufacturing Agreement between A and B dated DATE": the date follows a document
    introduced by another determiner than "this". But when a verb stands between that document and the
    date ("This Amendment to the License Agreement is effective as of DATE"), the date is the clause's
    predicate and the clause's subject decides."""
    nouns = _document_nouns(flat, max(0, cue_start - 40), date_start)
    if not nouns:
        return False
    determiner = _determiner(flat, nouns[-1])
    if determiner is None or determiner == "this":
        return False
    if _FINITE.search(flat, nouns[-1].end(), date_start):
        lookback = max(0, nouns[-1].start() - 300)
        starts = list(_CLAUSE_START.finditer(flat, lookback, nouns[-1].start()))
        clause_start = starts[-1].end() if starts else lookback
        subject = _document_nouns(flat, clause_start, nouns[-1].end())[0]
        return _determiner(flat, subject) not in (None, "this")
    return True


def _refers_elsewhere(flat: str, match: re.Match[str]) -> bool:
    return bool(
        _OTHER_DOCUMENT_AFTER.match(flat, match.end("d"))
        or _OTHER_DOCUMENT_BEFORE.search(flat, max(0, match.start() - 60), match.start("d"))
        or _about_other_document(flat, match.start(), match.start("d"))
    )


def _first(doc: Document, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> Found | None:
    end = len(doc.flat) if end is None else end
    for match in doc.near_dates(pattern, start, end):
        if _refers_elsewhere(doc.flat, match):
            continue
        value = _date_of(match)
        if value is not None:
            return Found(value, doc.sentence(match.start("d"), match.end("d")), match.start("d"))
    return None


_AGREEMENT_CUES = [
    # "Agreement Date" / "Date of this Agreement" defined as a date
    re.compile(
        rf"\b(?:Agreement\s+Date|Date\s+of\s+(?:this\s+|the\s+)?(?:Agreement|Contract))\"?\s*"
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
_RECITALS = re.compile(r"\b(?:WHEREAS|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H|RECITALS|Recitals)\b")
_HEADING_DATE = re.compile(rf"(?:^|\s){_D}", re.IGNORECASE)

_EFFECTIVE_CUES = [
    # 'DATE (the "Effective Date")'
    re.compile(rf"{_D}\)?\s*,?\s*\(\s*(?:the\s+|this\s+)?\"?Effective\s+Date", re.IGNORECASE),
    # '"Effective Date" means DATE' / 'the Effective Date of this Agreement shall be DATE'
    re.compile(
        rf"\bEffective\s+Date\"?(?:\s+of\s+this\s+(?:Agreement|Contract))?\s*(?:\"\s*)?"
        rf"(?:means|shall\s+mean|shall\s+be|is|will\s+be|:)\s*(?:the\s+)?{_D}",
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
    rf"\bcommencement\s+date\b[^.;]{{0,40}}?\b(?:is|will\s+be|shall\s+be|means)\s+(?:the\s+)?){_D}",
    re.IGNORECASE,
)
# Effective date defined by reference to the agreement's own date (no separate date to find).
_EFFECTIVE_IS_AGREEMENT = re.compile(
    r"\bEffective\s+Date\"?\s*(?:means|shall\s+mean|shall\s+be|is)\s+(?:the\s+)?date\s+(?:of\s+|first\s+|"
    r"hereof|on\s+which|this)",
    re.IGNORECASE,
)


def agreement_date(doc: Document) -> Found | None:
    window = min(len(doc.flat), _PREAMBLE_CHARS)
    # The recitals tell the history ("X and Y entered into a Supply Agreement dated ..."): the contract's
    # own date is stated before them.
    recitals = _RECITALS.search(doc.flat, 200, window)
    opening = recitals.start() if recitals else window
    best: Found | None = None
    for pattern in _AGREEMENT_CUES:
        found = _first(doc, pattern, 0, opening)
        if found and (best is None or found.start < best.start):
            best = found
    if best is None:
        best = _first(doc, _EFFECTIVE_CUES[0], 0, window) or _first(doc, _AS_OF, 0, window)
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
