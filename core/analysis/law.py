"""Governing law: the jurisdiction named in the choice-of-law clause, as the clause writes it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.analysis.text import Document

# The clause: "governed by", "construed in accordance with", "interpreted under", "Governing Law".
_CLAUSE = re.compile(
    r"\b(?:govern(?:ed|s|ing)?|constru(?:ed|e)|interpret(?:ed)?|subject\s+to|in\s+accordance\s+with|"
    r"under|pursuant\s+to)\b[^.;]{0,160}?\b(?:laws?|legislation)(?:\s+and\s+(?:judicial\s+)?decisions)?\s+"
    r"(?:in\s+force\s+in\s+|prevailing\s+in\s+|applicable\s+in\s+)?of\s+(?=(?P<place>[^;]{1,120}))",
    re.IGNORECASE,
)
_LAWS_GOVERN = re.compile(r"\blaws?\s+of\s+(?P<place>[^.;]{1,120}?)\s+(?:shall|will)\s+govern", re.IGNORECASE)
# A form's label: "Governing Law: Delaware", "Governing law - the laws of England".
_LABEL = re.compile(
    r"\bGoverning\s+Law\s*(?::|-|–)[ \t]*(?:the\s+)?(?:(?:laws?|legislation)\s+of\s+)?"
    r"(?P<place>[^\n;]{1,120})",
    re.IGNORECASE,
)
# "governed by PRC Laws", "governed by the laws of PRC" is above; here the abbreviation comes first.
_ACRONYM = re.compile(
    r"\b(?:governed\s+by|subject\s+to|construed\s+(?:in\s+accordance\s+with|under))\s+(?:the\s+)?"
    r"(?P<acr>[A-Z]{2,5}|(?:[A-Z]\.){2,4})\s+[Ll]aws?\b"
)
_LABEL_SCAN = 2_000_000
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.)+$")
# "governed by English law", "Swiss law shall apply", "the substantive law of Germany"
_ADJECTIVE = re.compile(
    r"\b(?:governed\s+by|subject\s+to|construed\s+(?:in\s+accordance\s+with|under))\s+(?:the\s+)?"
    r"(?:substantive\s+|internal\s+)?(?P<adj>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+law\b"
)
_DEMONYMS = {
    "English": "England", "Scottish": "Scotland", "Swiss": "Switzerland", "German": "Germany",
    "French": "France", "Dutch": "the Netherlands", "Irish": "Ireland", "Italian": "Italy",
    "Spanish": "Spain", "Swedish": "Sweden", "Danish": "Denmark", "Norwegian": "Norway",
    "Finnish": "Finland", "Belgian": "Belgium", "Austrian": "Austria", "Israeli": "Israel",
    "Japanese": "Japan", "Chinese": "the People's Republic of China", "Singaporean": "Singapore",
    "Indian": "India", "Canadian": "Canada", "Australian": "Australia", "Mexican": "Mexico",
    "Brazilian": "Brazil", "Korean": "Korea", "Luxembourg": "Luxembourg", "Polish": "Poland",
    "Delaware": "Delaware", "New York": "New York", "California": "California", "Texas": "Texas",
}  # fmt: skip
# The sentence is about a party's incorporation or about compliance, not a choice of law.
_NOT_CHOICE = re.compile(
    r"\b(?:organi[sz]ed|incorporated|existing|formed|registered|established|duly|comply|compliance|"
    r"violat\w*|permitted\s+by|required\s+by|enforceable|prohibited)\b",
    re.IGNORECASE,
)
_CHOICE_WORDS = re.compile(r"\b(?:govern\w*|constru\w*|interpret\w*)\b", re.IGNORECASE)
# Words that may continue a place name; anything else lowercase ends it.
_CONNECTORS = {"of", "and", "the", "de", "du", "del", "da", "la", "upon", "for"}
_TRAILING = {"of", "and", "the", "de", "du", "del", "da", "la", "upon", "for", "in"}


@dataclass(frozen=True, slots=True)
class Law:
    jurisdiction: str
    evidence: str


def _place(text: str) -> str | None:
    """The capitalised run at the head of ``text``: 'the State of New York, without regard...' -> 'State of
    New York'; 'England and Wales and the parties submit' -> 'England and Wales'."""
    text = re.sub(r"^\s*the\s+", "", text.strip(), flags=re.IGNORECASE)
    tokens = re.findall(r"[A-Za-z][\w'.&-]*|\d\S*|,|\(|\)|[^\w\s]", text)
    kept: list[str] = []
    for index, token in enumerate(tokens):
        nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == ",":
            # A comma continues the place only before another place word: "Victoria, Australia".
            if nxt[:1].isupper() and nxt.lower() not in ("without", "excluding", "exclusive", "including"):
                kept.append(",")
                continue
            break
        if not token[0].isalpha():
            break
        if token.endswith(".") and not _ABBREVIATION.match(token):
            # A full stop ends the sentence, and the place with it.
            if token[0].isupper():
                kept.append(token.rstrip("."))
            break
        if token[0].isupper():
            if (
                token.upper() == token
                and len(token) > 1
                and kept
                and kept[-1] not in (",",)
                and (token.lower() in _CONNECTORS)
            ):
                break
            kept.append(token)
            continue
        if (token.lower() in _CONNECTORS and nxt[:1].isupper() and nxt.lower() not in ("the",)) or (
            token.lower() == "the" and nxt[:1].isupper()
        ):
            if token.lower() == "and" and nxt in ("The", "Each", "Both", "Any", "All", "This", "Such"):
                break
            kept.append(token)
            continue
        break
    while kept and (kept[-1] == "," or kept[-1].lower() in _TRAILING):
        kept.pop()
    if not kept:
        return None
    place = " ".join(kept).replace(" ,", ",").strip(" .,")
    place = re.sub(r"\b(?:USA|U\.S\.A)$", "U.S.A.", place)
    return place or None


def governing_law(doc: Document) -> Law | None:
    flat = doc.flat
    candidates: list[tuple[int, int, Law]] = []
    for pattern in (_CLAUSE, _LAWS_GOVERN):
        for match in pattern.finditer(flat):
            sentence = doc.sentence(match.start(), match.end())
            if not _CHOICE_WORDS.search(match.group()) and "governing law" not in sentence.lower():
                continue
            if _NOT_CHOICE.search(flat[max(0, match.start() - 60) : match.end()]):
                continue
            place = _place(match.group("place"))
            if place is None or len(place) < 2:
                continue
            # Prefer a sentence that is plainly a choice-of-law clause.
            strength = 0 if re.search(r"\bgovern", match.group(), re.IGNORECASE) else 1
            candidates.append((strength, match.start(), Law(place, sentence)))
    # Labels are read line by line on the raw text: a form's next line is not part of the place.
    for match in _LABEL.finditer(doc.raw[:_LABEL_SCAN]):
        place = _place(match.group("place"))
        if place and place.lower() not in ("and", "the"):
            candidates.append((2, match.start(), Law(place, " ".join(match.group().split()))))
            break
    if candidates:
        return min(candidates, key=lambda item: (item[0], item[1]))[2]
    for match in _ACRONYM.finditer(flat):
        return Law(match.group("acr"), doc.sentence(match.start(), match.end()))
    for match in _ADJECTIVE.finditer(flat):
        place = _DEMONYMS.get(match.group("adj"))
        if place:
            return Law(place, doc.sentence(match.start(), match.end()))
    return None
