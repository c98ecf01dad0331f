"""Parties read from the definitions the opening makes: 'NAME, a Delaware corporation, ... ("Alias")'.

Contracts define each party by a parenthesised alias after its name and description. Reading backwards
from each alias to the previous one (or to "between", a colon, a sentence start) gives one entry per
party whatever separates them ("and", "- and -", a line break, nothing at all); the name is the head of
the entry, cut where its description starts (", a corporation", "with offices at", an address after the
corporate suffix). Entries whose alias names a document or a date ("the Agreement", "Effective Date")
are boundaries, not parties.
"""

from __future__ import annotations

import re

from core.contracts.analysis.names import SUFFIX_END, clean_name, corporate_end, has_suffix

_REGION_CHARS = 12000
# A parenthesis that defines a term: ("Inktomi"), (the "Company"), (hereinafter called "MLX", or "Party").
_ALIAS = re.compile(r"\((?P<lead>[^()\"]{0,60})\"(?P<alias>[^\"()]{1,50})\"[^()]{0,200}\)")
_DOCUMENT_WORDS = {
    "agreement", "amendment", "contract", "date", "term", "plan", "act", "exhibit", "schedule", "addendum",
    "order", "policy", "note", "notes", "products", "product", "services", "territory", "stock", "shares",
    "parties", "commission", "offering", "program", "site", "property", "properties", "law", "laws",
    "rules", "sec", "code", "letter", "documents", "transaction", "transactions", "closing", "business",
    "fund", "period", "license", "licence", "merger", "group", "affiliates", "assets", "trademarks",
}  # fmt: skip
# Where an entry can start: after "between"/"among"/"by", a colon, a sentence end, a paragraph.
_ENTRY_START = re.compile(
    r"\b(?:by\s+and\s+between|by\s+and\s+among|between|among|BETWEEN|AMONG|entered\s+into\s+by|"
    # "THIS AGREEMENT is made by X": the contract's own making, not "statements made by the Individual".
    r"(?:is|was)\s+(?:made|executed)(?:\s+and\s+entered\s+into)?\s+by)\b\s*:?"
    r"|:\s|\.\s+(?=(?:This|THIS|The|THE|WHEREAS|Whereas)\b)|\u2029"
)
_LEAD_IN = re.compile(
    r"^(?:\s|[,;:.\-–—\"]|\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*\)|\d{1,2}\.\s|and\b|AND\b|And\b|&|"
    r"WHEREAS\b|Whereas\b|the\s+(?=[A-Z]))*"
)
# Where a party's description begins after its name.
_DESCRIPTION = re.compile(
    r",?\s+(?:an?\s+(?=[a-zA-Z])|the\s+(?=[a-z])|with\b|With\b|WITH\b|having\b|whose\b|which\b|located\b|"
    r"represented\b|acting\b|organi[sz]ed\b|incorporated\s+(?:under|in)\b|existing\b|doing\s+business\b|"
    r"on\s+behalf\b|through\s+its\b|by\s+its\b|its\s|who\b|residing\b|resident\b|herein|hereinafter|"
    r"as\s+(?:administrator|agent|trustee|successor)\b|at\s+\d|f/s/o\b|for\s+itself\b|on\s+its\s+own\b|"
    r"not\s+individually\b|solely\b|but\s)"
    r"|,\s*(?:\d|[A-Z][a-z]+\s+\d|[A-Z][a-z]+,\s*[A-Z]{2}\b)"
    # A bracket inside a name is a place or a short name before the rest of it: "TOM Online (BVI) Limited",
    # "Rise (Tianjin) Education Information Consulting Co., Ltd.".
    r"|\s*\((?![A-Z][\w .&-]{0,30}\)\s*(?:[A-Z][\w&.-]*\s+){0,5}(?:Limited|Ltd|LIMITED|LTD|Inc|INC|Co|CO|LLC|"
    r"Corp|S\.))"
)
# The capitalised run just before an alias: "... agreement with Keefe, Bruyette & Woods, Inc. (the".
_NAME_BEFORE = re.compile(
    r"(?:agreement\s+with|contract\s+with|between|among|and|AND|,)\s+(?P<name>(?:[A-Z0-9][\w.&'/-]*,?\s+|"
    r"(?:of|and|&|de|for|the)\s+){0,10}[A-Z0-9][\w.&'/-]*\.?)\s*,?\s*$"
)
_STOP = re.compile(
    r"\b(?:W\s?H\s?E\s?R\s?E\s?A\s?S|RECITALS?|Recitals|BACKGROUND|WITNESSETH|NOW,?\s+THEREFORE|"
    r"agree\s+as\s+follows|hereby\s+agree)\b"
)
_ENTRY_MAX = 900
_NEXT_ENTRY = re.compile(
    r"(?:,\s*|\s+)(?:and|AND|And)\s*,?\s+(?=[A-Za-z0-9])|;\s*(?:and\s+)?(?=[A-Za-z0-9(])|-\s*and\s*-\s*"
)
# An entry that describes a party: its form, incorporation, offices or address.
_DEFINED = re.compile(
    r"\b(?:corporation|company|partnership|limited\s+liability|association|organi[sz]ed|incorporated|"
    r"existing|principal\s+(?:place|office)|offices?\s+at|registered|address|residing|individual|bank|"
    r"university|trust|society|institute|foundation|authority)\b|\d{3,}",
    re.IGNORECASE,
)
# An alias that names a role in the deal ("Licensee", "Party A", "Distributor") rather than a short name.
_ROLE_ALIAS = re.compile(r"\b(?:Party\s+[A-Z1-9]|[A-Z][a-z]+(?:or|er|ee|ant|ent|ist|ary|ier))\b")


def _is_party_role(match: re.Match[str]) -> bool:
    return bool(_ROLE_ALIAS.fullmatch(match.group("alias").strip()))


def _is_party_alias(alias: str) -> bool:
    words = re.findall(r"[A-Za-z]+", alias.lower())
    return bool(words) and words[-1] not in _DOCUMENT_WORDS and len(words) <= 5


def _name_of(entry: str) -> str | None:
    head = entry[_LEAD_IN.match(entry).end() :]  # type: ignore[union-attr]
    cut = _DESCRIPTION.search(head)
    name = head[: cut.start()] if cut else head
    name = corporate_end(name)
    found = clean_name(name) if len(name) <= 120 else None
    # "theglobe.com, Inc." and "e-centives" are names; "the deposit accounts of which" is not.
    if (
        found
        and found[:1].islower()
        and not re.match(r"[a-z][\w-]*\.(?:com|net)|[a-z]{1,2}-[A-Za-z]|[a-z]+[A-Z]", found)
    ):
        found = None
    if found is None:
        before = _NAME_BEFORE.search(entry[-160:])
        if before and SUFFIX_END.search(before.group("name").rstrip(" ,")):
            found = clean_name(corporate_end(before.group("name")))
    return found


def alias_parties(flat: str) -> tuple[list[tuple[str, int]], int]:
    """Names defined with an alias in the opening, in order, with their offsets; and where the list ended.

    Reading stops at the recitals ("WHEREAS", "agree as follows") once a party has been found."""
    region = flat[:_REGION_CHARS]
    found: list[tuple[str, int]] = []
    boundary = 0
    for match in _ALIAS.finditer(region):
        if found and _STOP.search(region, boundary, match.start()):
            break
        start, after_alias = boundary, boundary > 0
        for cue in _ENTRY_START.finditer(region, max(boundary, match.start() - _ENTRY_MAX), match.start()):
            start, after_alias = cue.end(), False
        boundary = match.end()
        if not _is_party_alias(match.group("alias")):
            continue
        entry = region[max(start, match.start() - _ENTRY_MAX) : match.start()]
        if after_alias:
            # 'X ("X"), a California corporation, 1900 Main St., and Y ("Y")': the text after an alias
            # describes the previous party up to the separator before the next one.
            separator = _NEXT_ENTRY.search(entry)
            if separator:
                entry = entry[separator.end() :]
        name = _name_of(entry)
        if name and not (has_suffix(name) or _DEFINED.search(entry) or _is_party_role(match)):
            name = None
        if name and not any(name.lower() == n.lower() for n, _ in found):
            found.append((name, match.start() - len(entry)))
        if len(found) >= 12:
            break
    return found, boundary
