"""Company and person names as contracts write them: corporate suffixes, what is not a name, addresses."""

from __future__ import annotations

import re

SUFFIX = (
    r"(?:Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|L\.L\.C|LLP|L\.L\.P|LP|L\.P|PLC|plc|"
    r"S\.A|SA|S\.A\.S|N\.A|N\.V|NV|B\.V|BV|AG|GmbH|KG|S\.p\.A|SpA|S\.r\.l|Pty|Pte|A/S|AB|AS|Oy|SE|K\.K|"
    r"S\.L|S\.de\s+R\.L|N\.D|M\.D|Jr|Sr|LTD|INC|CORP|CO|LIMITED|CORPORATION|COMPANY|INCORPORATED|GMBH|"
    # Forms seen in other countries' filings: Romania/Italy, Brazil, Malaysia, Indonesia, Russia, France.
    r"SRL|S\.R\.L|Ltda|LTDA|Bhd|BHD|Berhad|BERHAD|Tbk|TBK|JSC|OJSC|PJSC|OOO|SARL|S\.A\.R\.L|SAS|Oyj|ApS|ASA|"
    r"PLLC|LLLP)\.?"
)
_NOT_A_NAME = re.compile(
    r"^(?:the|this|that|such|each|either|both|all|any|its|his|her|their|which|who|whose|party|parties|"
    r"agreement|contract|company|effective|date|between|among|and|whereas|recitals?|section|article|"
    r"exhibit|schedule|page|table|in|on|at|by|for|with|as|of|to|you|we|us|our|no\.?|number|"
    r"(?-i:[ivx]{1,4})|\d+(?:\.\d+)*|signatory|witnesseth|dated?|made|recital|party\s+[a-z]|"
    r"the\s+(?:company|parties|party))$|^(?:this|these|that|during|except|neither|each)\b|"
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"^(?:in\s+witness|witnesseth|now,?\s+therefore|agreed\s+and\s+accepted|signature)\b",
    re.IGNORECASE,
)
_ROLE_WORDS = re.compile(
    r"\b(?:AGREEMENT|CONTRACT|SECURITIES|COMMISSION|EXHIBIT|Contract\s+Number|Director|Officer|President|Manager|Secretary|Chairman|Attorney|Agreement|Schedule|Exhibit|"
    r"Section|Article|Effective\s+Date|Term|Territory|Products?|Services)\b"
)
_ADDRESS_START = re.compile(r"^\d+\s")
SUFFIX_END = re.compile(rf"(?:^|[\s,]){SUFFIX}$")
_SUFFIX_IN_NAME = re.compile(rf"(?:^|[\s,]){SUFFIX}(?=\s|$)")
# "Acme Inc., d/b/a Acme Widgets": the trade name follows the company's own.
TRADE_NAME = r"(?:d/b/a|D/B/A|dba|DBA|f/k/a|F/K/A|fka|a/k/a|A/K/A)"
_TRADE_NAME_SPLIT = re.compile(rf",?\s+{TRADE_NAME}\s+")


def has_suffix(name: str) -> bool:
    """The name ends in a corporate suffix, or does before its trade name ("X Inc. d/b/a Y")."""
    return bool(SUFFIX_END.search(name) or SUFFIX_END.search(_TRADE_NAME_SPLIT.split(name)[0]))


_STREET = re.compile(
    r"\b(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Boulevard|Blvd|Suite|Floor|Drive|Lane|Way|Plaza|Building|P\.?O\.?\s+Box)",
    re.IGNORECASE,
)
_ADDRESS_WORD = re.compile(
    r"^(?:\d\S*|Unit|Suite|Room|Floor|Level|Building|Block|Tower|Street|Road|Avenue|P\.?O\.?|Box|"
    r"Registration|Registered|Address)$"
)


def cut_address(name: str) -> str:
    """'ORGANIC PREPARATIONS INC. 2nd Floor' -> 'ORGANIC PREPARATIONS INC.': an address follows a suffix."""
    words = name.split()
    for index in range(1, len(words)):
        if _ADDRESS_WORD.match(words[index]) and SUFFIX_END.search(" ".join(words[:index])):
            return " ".join(words[:index])
    return name


def clean_name(name: str) -> str | None:
    # A heading run together with the first name: "EXHIBIT 10.26 AGENCY AGREEMENT Mutual Insurance ...".
    name = re.split(r"\b(?:AGREEMENT|CONTRACT)\s+(?=\S)", name)[-1]
    name = re.sub(r"^(?:BETWEEN|AMONG|AND|Between|Among)\s*:?\s+", "", name)
    name = cut_address(name.strip())
    suffix_dot = name.endswith(".") and bool(SUFFIX_END.search(name[:-1]) or re.search(r"\b[A-Z]\.$", name))
    name = name.strip(' ,;:.-&"')
    if suffix_dot:
        name += "."
    name = re.sub(r"\s+(?:of|de|the|and|for)$", "", name).strip(" ,;:-")
    if name.endswith(")") and "(" not in name:
        name = name[:-1]
    words = name.split()
    if not words or len(name) < 2 or len(name) > 120:
        return None
    if _NOT_A_NAME.match(name) or (_NOT_A_NAME.match(words[0]) and len(words) == 1):
        return None
    # "1900 Main Street" is an address; "695014 B.C. Ltd." a numbered company (its suffix says so).
    numbered = _ADDRESS_START.match(name) and _SUFFIX_IN_NAME.search(name) and not _STREET.search(name)
    if (_ADDRESS_START.match(name) and not numbered) or not re.search(r"[A-Za-z]{2}", name):
        return None
    if _ROLE_WORDS.search(name) and not re.search(rf",?\s{SUFFIX}$", name):
        return None
    return name


def corporate_end(name: str) -> str:
    """A name ends at its corporate suffix when an address follows it on the same line:
    'NLS-1 Pharma AG Alter Postplatz 2 6370 Stans' -> 'NLS-1 Pharma AG'."""
    for match in _SUFFIX_IN_NAME.finditer(name):
        rest = name[match.end() :].split()
        if rest and any(any(ch.isdigit() for ch in word) for word in rest[:8]):
            return name[: match.end()]
    return name
