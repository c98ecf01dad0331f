"""Governing law: the jurisdiction the choice-of-law clause names, as a known place.

Every "law(s) of / in / under ... PLACE" whose PLACE is a state, province or country (any case: "THE
LAWS OF THE STATE OF NEW YORK") is a candidate; its sentence decides how much it reads as a choice of
law ("governed by", "construed", "Governing Law", "in accordance with", "shall apply") or as something
else (a party's incorporation, compliance with laws, an arbitration venue). The best-scoring sentence
wins, the first of equals. Forms' labels ("Governing Law: Delaware") and "English law" / "PRC law"
wordings are read when no clause names a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from core.contracts.analysis.jurisdictions import PLACE, canonical, normalized, place_value
from core.contracts.analysis.prose import Document

# "laws of", "law in", "laws and regulations of", "laws in force in", "laws of and in"
_LAW_WORD = re.compile(r"\blaws?\b|\blegislation\b", re.IGNORECASE)
_LAW_LINK = re.compile(
    r"(?:\s+and\s+(?:regulations|judicial\s+decisions|decisions))?\s+(?:in\s+force\s+in|prevailing\s+in|"
    r"applicable\s+in|of\s+and\s+in|as\s+applied\s+in|of|in|under)\s+",
    re.IGNORECASE,
)
# "the laws of such State": the place named earlier in the sentence ("(currently the State of California)").
_AND_PLACE = re.compile(rf"\s*,?\s+and\s+(?:of\s+)?{PLACE.pattern}", re.IGNORECASE)
_SUCH_PLACE = re.compile(
    r"(?:such|said|that|the\s+same)\s+(?:state|jurisdiction|country|province)", re.IGNORECASE
)
_CHOICE = re.compile(r"\bgovern(?:ed|s|ing)?\b", re.IGNORECASE)
_CHOICE_WEAK = re.compile(
    r"\b(?:constru\w*|interpret\w*|enforced|controlled|in\s+accordance\s+with|appl(?:y|ies|ied|icable)|"
    r"subject\s+to|pursuant\s+to|exclusively|choice\s+of\s+law)\b",
    re.IGNORECASE,
)
_INCORPORATION = re.compile(
    r"\b(?:organi[sz]ed|incorporated|existing|formed|registered|established|chartered|duly|corporation|"
    r"company|partnership)\b[^.;]{0,30}$",
    re.IGNORECASE,
)
_NOT_CHOICE = re.compile(
    r"\b(?:comply|compliance|complies|violat\w*|permitted\s+by|required\s+by|prohibited|enforceable|"
    r"export|securities\s+laws?|tax|arbitration)\b",
    re.IGNORECASE,
)
_GOVERN_AFTER = re.compile(
    r"^[^.;]{0,80}?\b(?:shall|will|to)\s+(?:govern|apply|be\s+applied|control)", re.IGNORECASE
)
_THIS_CONTRACT = re.compile(
    r"\b(?:this|the)\s+(?:Agreement|Contract|Amendment)\b|\bhere(?:of|under|to)\b", re.I
)
# The marks of a choice-of-law clause itself: this contract as the subject of "governed/construed", and the
# renvoi exclusion ("without regard to its conflict of laws principles") after the place.
_SUBJECT = re.compile(
    r"\b(?:this|the)\s+(?:Agreement|Contract|Amendment)\b[^.;]{0,80}?\b(?:govern|constru|interpret|enforc)",
    re.IGNORECASE,
)
_CONFLICTS = re.compile(r"\b(?:conflicts?[\s-]+of[\s-]+laws?|choice[\s-]+of[\s-]+laws?)\b", re.IGNORECASE)
_HEADING = re.compile(r"\b(?:governing\s+law|applicable\s+law|choice\s+of\s+law)\b", re.IGNORECASE)
_FEDERAL = "United States"
_LABEL = re.compile(
    r"\bGoverning\s+Law\s*(?::|-|–)[ \t]*(?P<place>[^\n;]{1,120})",
    re.IGNORECASE,
)
_LABEL_SCAN = 2_000_000
# "governed by PRC law", "English law shall apply", "the substantive law of Germany" is above.
_ADJECTIVE = re.compile(
    r"\b(?:governed\s+by|subject\s+to|construed\s+(?:in\s+accordance\s+with|under)|in\s+accordance\s+with)\s+"
    r"(?:the\s+)?(?:substantive\s+|internal\s+)?(?P<adj>[A-Z][A-Za-z.]+(?:\s+[A-Z][a-z]+)?)\s+[Ll][Aa][Ww][Ss]?\b"
    r"|\b(?P<adj2>[A-Z][a-z]+)\s+law\s+(?:shall|will)\s+(?:apply|govern)"
)
_DEMONYMS = {
    "English": "England", "Scottish": "Scotland", "Swiss": "Switzerland", "German": "Germany",
    "French": "France", "Dutch": "Netherlands", "Irish": "Ireland", "Italian": "Italy", "Spanish": "Spain",
    "Swedish": "Sweden", "Danish": "Denmark", "Norwegian": "Norway", "Finnish": "Finland",
    "Belgian": "Belgium", "Austrian": "Austria", "Israeli": "Israel", "Japanese": "Japan",
    "Chinese": "People's Republic of China", "Singaporean": "Singapore", "Indian": "India",
    "Canadian": "Canada", "Australian": "Australia", "Mexican": "Mexico", "Brazilian": "Brazil",
    "Korean": "Korea", "Polish": "Poland",
}  # fmt: skip


# Without a choice of law, the forum disputes go to decides which law a court or tribunal applies (and
# CUAD's annotators take it as the governing law): "arbitration in McLean, Virginia", "the courts of
# England", "the Beijing Arbitration Commission", "the People's Court".
_FORUM = re.compile(
    rf"\b(?:arbitrat\w*|courts?|tribunals?|venue|forum)\b[^.;]{{0,60}}?\b(?:in|of|at|within)\s+"
    rf"(?P<city>[A-Z][\w.']*(?:\s+[A-Z][\w.']*){{0,2}}\s*,\s*)?(?:the\s+)?{PLACE.pattern}"
    rf"|{PLACE.pattern.replace('(?P<kind>', '(?P<kind2>').replace('(?P<name>', '(?P<name2>')}\s+"
    rf"(?:International\s+)?Arbitration\s+(?:Commission|Cent(?:re|er)|Court)",
    re.IGNORECASE,
)
_DISPUTE = re.compile(r"\b(?:disputes?|claims?|controvers\w+|arbitrat\w*|litigation)\b", re.IGNORECASE)
_PEOPLES_COURT = re.compile(r"\bPeople'?s\s+Courts?\b", re.IGNORECASE)
_FORUM_NOTE = "(no choice-of-law clause; the forum for disputes) "
_FORUM_WORDS = ("arbitrat", "court", "tribunal", "venue", "forum")


@dataclass(frozen=True, slots=True)
class Law:
    jurisdiction: str
    evidence: str
    # True when no clause chooses a law and the jurisdiction is the forum for disputes.
    forum: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    score: int
    start: int
    place: str
    sentence: str


def _score(flat: str, law_at: int, law_end: int, sentence: str, sentence_start: int) -> int:
    """How much the words around "laws of PLACE" read as this contract's choice of law."""
    before = flat[max(sentence_start, law_at - 140) : law_at]
    after = flat[law_end : law_end + 160]
    score = 0
    if _CHOICE.search(before) or _GOVERN_AFTER.search(after):
        score += 3
    if _CHOICE_WEAK.search(before):
        score += 2
    if _THIS_CONTRACT.search(sentence):
        score += 1
    # Read on the whole sentence, so that two places of one clause ("New York, except Section 25, which
    # ... Massachusetts") score alike and the first is chosen.
    if _SUBJECT.search(sentence):
        score += 1
    if _CONFLICTS.search(sentence):
        score += 2
    if _HEADING.search(flat, max(0, law_at - 400), law_at) and _HEADING.search(sentence):
        score += 2
    if _INCORPORATION.search(flat, max(0, law_at - 60), law_at):
        score -= 6
    if _NOT_CHOICE.search(before):
        score -= 3
    return score


def _places_after(flat: str, law: re.Match[str], sentence_start: int) -> str | None:
    link = _LAW_LINK.match(flat, law.end())
    if link is None:
        return None
    place = PLACE.match(flat, link.end())
    if place:
        value = place_value(place)
        joined = _AND_PLACE.match(flat, place.end())
        if value == _FEDERAL and joined:
            # "the laws of the United States and the State of Florida": the state's law is chosen.
            return place_value(joined)
        # "the laws of Victoria, Australia" is Victoria: the value is the place itself, not the words
        # around it, so that one law is one value in the report.
        return value
    if _SUCH_PLACE.match(flat, link.end()) or _SUCH_PLACE.match(flat, link.end() + 4):
        earlier = list(PLACE.finditer(flat, sentence_start, law.start()))
        named = [m for m in earlier if m.group("kind") or m.group(0)[:1].isupper()]
        if named:
            return place_value(named[-1])
    return None


def _candidates(doc: Document) -> list[_Candidate]:
    flat = doc.flat
    found: list[_Candidate] = []
    # Law words found with str.find; the sentence (the costly part) only once a place follows the word.
    laws: Iterator[re.Match[str] | None]
    if doc.lower:
        words = doc.whole_words(("law", "laws", "legislation"))
        laws = (_LAW_WORD.match(flat, at) for at in words)
    else:
        laws = _LAW_WORD.finditer(flat)
    for law in laws:
        link = _LAW_LINK.match(flat, law.end()) if law else None
        if law is None or link is None:
            continue
        sentence = doc.sentence(law.start(), law.end())
        sentence_start = max(0, flat.rfind(sentence[:30], max(0, law.start() - 900), law.end()))
        place = _places_after(flat, law, sentence_start)
        if place is None:
            continue
        score = _score(flat, law.start(), law.end(), sentence, sentence_start)
        found.append(_Candidate(score, law.start(), place, sentence))
    return found


def _prefer_state(best: _Candidate, candidates: list[_Candidate]) -> _Candidate:
    """ "the laws of the United States and the State of Florida": the state's law is the one chosen."""
    if best.place != _FEDERAL:
        return best
    same = [c for c in candidates if c.sentence == best.sentence and c.place != _FEDERAL]
    return same[0] if same else best


def governing_law(doc: Document) -> Law | None:
    candidates = _candidates(doc)
    chosen = [c for c in candidates if c.score > 0]
    if chosen:
        best = max(chosen, key=lambda c: (c.score, -c.start))
        best = _prefer_state(best, candidates)
        return Law(best.place, best.sentence)
    # Labels are read line by line on the raw text: a form's next line is not part of the place.
    for match in _LABEL.finditer(doc.raw[:_LABEL_SCAN]):
        place = PLACE.search(match.group("place"))
        if place:
            return Law(place_value(place), " ".join(match.group().split()))
    for match in _ADJECTIVE.finditer(doc.flat):
        word = match.group("adj") or match.group("adj2")
        place_name = _DEMONYMS.get(word) or canonical(word)
        place_name = normalized(place_name) if place_name else None
        if place_name:
            return Law(place_name, doc.sentence(match.start(), match.end()))
    return _forum(doc)


def _forum(doc: Document) -> Law | None:
    """The place disputes are resolved, when the contract chooses no law (evidence says so)."""
    for match in doc.near_words(_FORUM, _FORUM_WORDS, 120, 200):
        sentence = doc.sentence(match.start(), match.end())
        if not _DISPUTE.search(sentence):
            continue
        name = match.group("name") or match.group("name2")
        # "in Washington State, USA": the state before its country is the forum.
        within = PLACE.search(match.group("city") or "")
        place = canonical(within.group("name") if within else name)
        if place:
            return Law(normalized(place), _FORUM_NOTE + sentence, forum=True)
    for match in doc.near_words(_PEOPLES_COURT, ("people",), 0, 30):
        sentence = doc.sentence(match.start(), match.end())
        if _DISPUTE.search(sentence):
            return Law("People's Republic of China", _FORUM_NOTE + sentence, forum=True)
    return None
