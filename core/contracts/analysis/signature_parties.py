"""Who signs: the company names written above the "By:" lines of the signature blocks.

    IN WITNESS WHEREOF, the parties have executed this Agreement.
    NETZEE, INC.                 THE BANKERS BANK, a Georgia banking corporation
    By: /s/ Richard S. Eiswirth  By: /s/ Kevin Tweddle
    Name: ...                    Title: ...

Flattened, each block's heading is the text between the previous block's fields ("Title: CFO", "Date:",
"/s/ ...") or the closing sentence, and its "By:". The names in it are the runs of capitalised words that
end in a corporate suffix ("NETZEE, INC.") or that a description follows ("THE BANKERS BANK, a Georgia
banking corporation"); side-by-side blocks give several. Only the first cluster of blocks is read: later
ones sign exhibits (a guaranty, an acknowledgement), not the contract.
"""

from __future__ import annotations

import re

from core.contracts.analysis.names import SUFFIX, clean_name
from core.contracts.analysis.prose import Document

_ANCHORS = ("by:", "by :")
_HEADING_CHARS = 240  # how far above a "By:" its block's heading may start
_CLUSTER_CHARS = 3000  # blocks further from the first one belong to another document
# Where a block's heading starts: the previous block's fields, or the sentence that closes the contract.
_HEADING_START = re.compile(
    r"\b(?:Title|Name|Date|Its|Print(?:ed)?\s+Name|Address|Email|Fax|Phone|Telephone)\s*:[^:]{0,60}?"
    r"(?=\s[A-Z]{2}|\s[A-Z][a-z]+\s+[A-Z])|/s/[^:]{0,40}?(?=\s[A-Z]{2})|"
    r"\b(?:above|below|written|first\s+written|hereto|date|Agreement|day)\s*[.:]\s|_{3,}|-{3,}",
    re.IGNORECASE,
)
_TOKEN = r"[A-Z0-9&][\w&.'/-]*"
_CONNECT = r"(?:of|and|&|de|du|for|the|des|del)"
# A company: capitalised words ending in a suffix, or followed by its description (", a Georgia ...").
_COMPANY = re.compile(
    rf"(?P<name>{_TOKEN}(?:\s+(?:{_CONNECT}\s+)?{_TOKEN}){{0,7}}?)"
    rf"(?:(?P<suffix>,?\s+{SUFFIX})(?![\w])(?:\s*,\s*{SUFFIX}(?![\w]))?|"
    rf"(?=,\s+an?\s+(?:[A-Z][\w-]*\s+){{0,3}}(?:[a-z]+\s+){{0,2}}(?:corporation|company|partnership|bank|"
    rf"association|limited\s+liability)))"
)


# What stands before a company's name in a block's heading: its signatory's title, a date, an address's
# end ("Ohio 44708"), the end of a sentence.
_TITLE_WORDS = frozenset(
    (
        "president", "vice", "evp", "svp", "vp", "chief", "executive", "officer", "ceo", "cfo", "coo",
        "manager", "managing", "partner", "general", "director", "secretary", "treasurer", "member",
        "authorized", "signatory", "chairman", "principal", "senior", "assistant", "name", "title", "its",
        "by", "and", "distributor", "licensee", "licensor", "supplier", "customer", "company", "finance",
        "financial", "legal", "counsel", "general", "attorney", "attorney-in-fact", "operations",
        "operating", "business", "affairs",
    )
)  # fmt: skip
_BARE_SUFFIX = re.compile(rf"{SUFFIX}\.?", re.IGNORECASE)
_LEAD_JUNK = re.compile(rf"^(?:(?:\S*\d\S*|{SUFFIX})\s+)+")


def _strip_lead(name: str) -> str:
    """'President/CEO WYZZ, INC.' -> 'WYZZ, INC.'; '4/8/2020 YA II PN, Ltd.' -> 'YA II PN, Ltd.'."""
    name = re.split(r"(?<![A-Z])(?<!\b(?:Co|No|St))\.\s+(?=[A-Z])", name)[-1]
    words = name.split()
    while len(words) > 1 and (
        all(part.lower() in _TITLE_WORDS for part in re.split(r"[/&-]", words[0]) if part)
        or _LEAD_JUNK.match(words[0] + " ")
    ):
        words.pop(0)
    return " ".join(words)


_UPPER_HEADING = re.compile(
    r"[\s\u2029:,]*(?P<name>[A-Z][A-Z0-9&.'-]*(?:\s+(?:[A-Z][A-Z0-9&.'-]*|OF|AND|THE|FOR|DE)){1,9})[\s\u2029,]*"
)


def _headings(doc: Document) -> list[tuple[int, int]]:
    """(start, end) of the text above each "By:" of the first cluster of signature blocks."""
    lower = doc.lower
    if not lower:
        return []
    anchors = sorted(at for anchor in _ANCHORS for at in doc.word_starts(anchor))
    witness = lower.find("in witness whereof")
    if witness >= 0:
        anchors = [at for at in anchors if at > witness] or anchors
    if not anchors:
        return []
    first = anchors[0]
    spans = []
    previous_end = max(0, first - _HEADING_CHARS)
    for at in anchors:
        if at - first > _CLUSTER_CHARS:
            break
        start = max(previous_end, at - _HEADING_CHARS)
        for boundary in _HEADING_START.finditer(doc.flat, start, at):
            start = boundary.end()
        spans.append((start, at))
        previous_end = at + 3
    return spans


def signing_companies(doc: Document) -> list[tuple[str, int]]:
    """Company names heading the signature blocks, in order, with their offsets."""
    found: list[tuple[str, int]] = []
    for start, end in _headings(doc):
        heading = _UPPER_HEADING.fullmatch(doc.flat, start, end)
        if heading and not _COMPANY.search(doc.flat, start, end):
            # "THE REGENTS OF THE UNIVERSITY OF CALIFORNIA" alone above its "By:": a name in capitals
            # without a corporate suffix.
            name = clean_name(heading.group("name"))
            if name and not any(name.lower() == n.lower() for n, _ in found):
                found.append((name, heading.start("name")))
            continue
        for match in _COMPANY.finditer(doc.flat, start, end):
            raw = match.group("name") + (match.group("suffix") or "")
            if match.group("suffix") and doc.flat[match.end() : match.end() + 1] == ".":
                raw += "."
            name = clean_name(_strip_lead(raw))
            if name and _BARE_SUFFIX.fullmatch(name):
                continue  # "Inc." left of a name split across lines
            if name and len(name.split()) <= 10 and not any(name.lower() == n.lower() for n, _ in found):
                found.append((name, match.start()))
    return found[:12]
