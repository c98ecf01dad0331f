"""Whose date a date is: this contract's, or another document's the contract mentions.

Openings and recitals date other documents all the time: 'amends that certain Manufacturing Agreement
between A and B dated July 1, 2017', 'the Supply Agreement dated September 30, 2009 (the "Supply
Agreement")', 'X and Y have previously entered into a Selling Agreement, effective as of ...'. The
noun phrase a date attaches to, and its determiner ("this" or another), tell them apart.
"""

from __future__ import annotations

import re

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
# Nouns that name a document ("terms", "order", "plan" too often name something else).
_DOCUMENT = (
    r"(?:agreement|contract|amendment|addendum|document|letter|memorandum|mou|lease|licen[cs]e|note|"
    r"instrument|indenture|deed|schedule|statement\s+of\s+work)s?"
)
_DOCUMENT_NOUN = re.compile(rf"\b{_DOCUMENT}\b", re.IGNORECASE)
_DETERMINER = re.compile(
    r"\b(?:this|a|an|the|that|certain|said|such|its|their|each|any|prior|existing|original)\b", re.IGNORECASE
)


_FINITE = re.compile(r"\b(?:is|are|was|were|shall|will|has|have|hereby)\b", re.IGNORECASE)
# A sentence or clause boundary; not the period of an initial or abbreviation ("N. A.", "Inc. and").
_ABBREVIATION = r"(?<!\b[A-Z])(?<!\bInc)(?<!\bLtd)(?<!\bCorp)(?<!\bCo)"
_CLAUSE_START = re.compile(rf"{_ABBREVIATION}[.;:]\s+(?=[A-Z\"(])|\u2029")


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
    # "to that Software License Agreement, by and between A ("Supplier") and B ("Bank"), dated": the
    # document a "dated" belongs to may be a long way back, but within its sentence.
    lookback = max(0, cue_start - 200)
    starts = list(_CLAUSE_START.finditer(flat, lookback, cue_start))
    nouns = _document_nouns(flat, starts[-1].end() if starts else lookback, date_start)
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


def refers_elsewhere(flat: str, match: re.Match[str]) -> bool:
    """Whether the date group ``d`` of a cue's match is the date of another document than this one."""
    return bool(
        _OTHER_DOCUMENT_AFTER.match(flat, match.end("d"))
        or _OTHER_DOCUMENT_BEFORE.search(flat, max(0, match.start() - 60), match.start("d"))
        or _about_other_document(flat, match.start(), match.start("d"))
    )
