"""Title and contract type: the heading that names the agreement, and the kind of agreement it is."""

from __future__ import annotations

import re

from core.contracts.analysis.prose import Document

_KIND_WORDS = (
    r"AGREEMENT|CONTRACT|LEASE|LICEN[CS]E|MEMORANDUM|ADDENDUM|AMENDMENT|ORDER|TERMS|DEED|"
    r"UNDERSTANDING|STATEMENT\s+OF\s+WORK|NDA"
)
_HEADING = re.compile(rf"\b(?:{_KIND_WORDS})\b", re.IGNORECASE)
_NOISE = re.compile(
    r"^(?:exhibit|execution\s+(?:copy|version)|confidential|source:|page\b|table\s+of|\*|\[|portions|"
    r"certain\s+(?:portions|information)|omitted|redacted|confidential\s+treatment|this\s+|the\s+)",
    re.IGNORECASE,
)
# (type code, words in the title or opening that say so); first match wins, most specific first.
_TYPES: tuple[tuple[str, str], ...] = (
    ("non_disclosure", r"non-?disclosure|confidentiality\s+agreement|\bNDA\b"),
    ("non_compete", r"non-?compet|non-?solicit"),
    ("employment", r"employment"),
    ("franchise", r"franchise"),
    ("joint_venture", r"joint\s+venture"),
    ("co_branding", r"co-?branding"),
    ("subscription", r"subscription|software\s+as\s+a\s+service|\bSaaS\b"),
    ("license", r"licen[cs]e|royalt"),
    ("distribution", r"distribut|reseller|dealer"),
    ("supply", r"supply|purchase|procurement|manufactur"),
    ("hosting", r"hosting"),
    ("outsourcing", r"outsourc"),
    ("maintenance", r"maintenance|support\s+agreement"),
    ("consulting", r"consult"),
    ("development", r"development"),
    ("marketing", r"marketing|promotion|advertis|affiliate|sponsorship|endorsement"),
    ("collaboration", r"collaboration|cooperation|co-operation|strategic\s+alliance|alliance"),
    ("agency", r"\bagency\b"),
    ("transportation", r"transport|shipping|logistics"),
    ("lease", r"\blease\b|rental"),
    ("services", r"services?\s+agreement|master\s+services|statement\s+of\s+work|\bservices?\b"),
    ("intellectual_property", r"intellectual\s+property|patent|trademark"),
    ("loan", r"\bloan\b|credit\s+agreement|promissory"),
)


def title(doc: Document) -> str | None:
    """The first short heading line that names a kind of agreement."""
    for line in doc.lines[:80]:
        text = line.strip(" \t-_*#=:")
        if not text or len(text) > 120 or _NOISE.match(text):
            continue
        if not _HEADING.search(text):
            continue
        letters = [ch for ch in text if ch.isalpha()]
        upper_share = sum(ch.isupper() for ch in letters) / max(len(letters), 1)
        words = text.split()
        # A heading is either set in capitals or short and title-cased.
        if upper_share > 0.7 or (len(words) <= 10 and sum(w[:1].isupper() for w in words) >= len(words) - 2):
            return re.sub(r"\s+", " ", text)
    match = re.search(rf"\bTHIS\s+((?:[A-Z][\w-]*\s+){{0,6}}(?:{_KIND_WORDS}))\b", doc.flat[:5000])
    return match.group(1).strip() if match else None


def contract_type(found_title: str, doc: Document) -> tuple[str, str] | None:
    """(type code, evidence): from the title, else from the opening sentence."""
    sources = [found_title] if found_title else []
    sources.append(doc.flat[:600])
    for source in sources:
        for code, pattern in _TYPES:
            match = re.search(pattern, source, re.IGNORECASE)
            if match:
                return code, source if source is found_title else doc.sentence(match.start(), match.end())
    return None
