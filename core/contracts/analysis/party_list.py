"""The opening's party list read as a list: "by and between X, a Delaware corporation, and Y".

The preamble is found by its cue words; it is then read as a list: a name at the head of each entry, the
entry's description (address, state of incorporation, defined alias) skipped up to the separator that
introduces the next name ("and", ";", "(b)", "Party B:"). Names keep their corporate suffix even after a
comma ("Skype Communications, S.A.").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from core.contracts.analysis.names import SUFFIX as _SUFFIX
from core.contracts.analysis.names import SUFFIX_END as _SUFFIX_END
from core.contracts.analysis.names import TRADE_NAME, corporate_end, has_suffix
from core.contracts.analysis.names import clean_name as _clean
from core.contracts.analysis.prose import Document

_SEARCH_CHARS = 12000
_SEGMENT_CHARS = 2500
_MAX_PARTIES = 60

_CUE = re.compile(
    r"\b(?:by\s+and\s+(?:between|among)|between|among|BETWEEN|AMONG)\b\s*:?\s*|"
    r"\bParty\s+A\s*[:：]\s*",
)
_SEGMENT_END = re.compile(
    r"\b(?:WHEREAS|Whereas\s*[:,]|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H|RECITALS?|BACKGROUND|NOW,?\s+THEREFORE|"
    r"agree\s+as\s+follows|hereby\s+agree|IT\s+IS\s+(?:HEREBY\s+)?AGREED|Recitals|PREAMBLE|"
    r"(?:collectively|each\s+individually|individually)\s+(?:referred\s+to\s+|called\s+|as\s+)?(?:as\s+)?"
    r"(?:the\s+)?\"?Part(?:y|ies))"
)
_TOKEN = r"(?:[A-Z0-9][\w.&'/-]*|&|[a-z][A-Z][\w.&'-]*|[a-z]{1,2}-[A-Za-z][\w.&'-]*)"
_NAME_START = r"(?=(?:Mr\.?|Ms\.?|Mrs\.?|Dr\.?)?\s*\"?(?:[A-Z0-9]|[a-z][A-Z]|[a-z]{1,2}-[A-Za-z]))"
_CONNECT = r"(?:of|de|du|des|del|della|van|der|von|for|the|y|e|di|la|le|zu)"
# A name: capitalised tokens, lowercase connectors only between two of them, a ", Inc." style suffix kept.
NAME = re.compile(
    rf"(?:(?:Mr|Ms|Mrs|Dr|Messrs)\.?\s+)?{_TOKEN}(?:\s+(?:{_CONNECT}\s+)?{_TOKEN}){{0,12}}"
    rf"(?:\s*,\s*{_SUFFIX}(?=[\s,;:()\"]|$)){{0,2}}(?:\s+(?:plc|p\.l\.c\.|gmbh|bhd)\b)?"
    # "Acme Inc., d/b/a Acme Widgets": a trade name after the company's own name.
    rf"(?:\s*,?\s+{TRADE_NAME}\s+{_TOKEN}(?:\s+(?:{_CONNECT}\s+)?{_TOKEN}){{0,6}}"
    rf"(?:\s*,\s*{_SUFFIX}(?=[\s,;:()\"]|$))?)?"
    # "TOM Online (BVI) Limited": a parenthesis inside the name, before its suffix.
    # "Rise (Tianjin) Education Information Consulting Co., Ltd.": further words before the suffix.
    rf"(?:\s*\([A-Z][\w .&-]{{0,30}}\)(?=(?:\s+[A-Z][\w&.-]*){{0,5}}\s*,?\s+(?:{_SUFFIX}|Co\.|Limited|Ltd))"
    rf"(?:\s+{_TOKEN}){{1,6}}(?:\s*,\s*{_SUFFIX}(?=[\s,;:()\"]|$)){{0,2}})?"
)
# What may stand before a name inside an entry of the list.
_LEAD = re.compile(
    r"^(?:\s|[:;,.\-\"]|\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*\)|\d{1,2}\.|Party\s+[A-Z]\s*[:：]|the\s+following\s+"
    r"\w+\s+parties\s*:|and\b|AND\b|&|the\s+(?=[A-Z]))*"
)
# Between entries: "and", ";", an enumerator, or a "Party B:" label, then a capital letter.
_SEPARATOR = re.compile(
    rf"(?:[;,)]\s*|\s+)(?:and|AND|And|&)\s*:?\s*(?:\(\s*(?:[a-z]|[ivx]{{1,4}}|\d{{1,2}})\s*\)\s*)?{_NAME_START}|"
    rf";\s*(?:\(\s*(?:[a-z]|[ivx]{{1,4}}|\d{{1,2}})\s*\)\s*)?{_NAME_START}|"
    rf"[,;]?\s*\(\s*(?:[b-z]|i{{2,3}}|iv|v|[2-9])\s*\)\s*{_NAME_START}|"
    rf"\)\s*,\s*{_NAME_START}|"
    r",\s*(?=(?:Mr|Ms|Mrs|Dr)\.?\s)|"
    r"\s+Party\s+[B-Z]\s*[:：]\s*"
)
_PLACE_LIST = re.compile(r"\b(?:in|at|of|under)\s+(?:the\s+)?(?:laws\s+of\s+)?(?:[A-Z][\w.-]*\s?){1,3}$")
# Marks an entry as a party's definition: an alias, a description, an address.
_DEFINITION = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+|called\s+(?:as\s+)?)?(?:the\s+)?)?[\"']|"
    r"\(\s*[A-Z][A-Z&.-]{1,12}\s*\)|\bhereinafter\b|,\s*an?\s+(?:[A-Z][\w-]*\s+){0,4}"
    r"(?:corporation|company|limited|partnership|individual|bank|association|entity|organi[sz]ation|"
    r"enterprise|LLC|corp)|\b(?:incorporated|organi[sz]ed|registered|existing)\b|"
    r"\b(?:principal|registered|head)\s+(?:place|office)|\bwith\s+(?:an?\s+)?(?:address|offices?)\b|"
    r"\baddress\s*:",
    re.IGNORECASE,
)
_ALIAS = re.compile(r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+)?)?\"\s*([^\"]{1,40}?)\s*\"")
_SENTENCE_STOP = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr|\bMs|\bDr|\bNo|\bSt|\bCo|\bJr|\bSr)(?<!Mrs|Inc|Ltd|LLC|Bhd)(?<!Corp)\.\s+(?=[A-Z][a-z])"
)


@dataclass(frozen=True, slots=True)
class Parties:
    names: list[str]
    evidence: str
    # How many of the names the text defines (an alias, a description, an address): 0 is a bare list.
    defined: int = 0


def _read_list(text: str) -> list[tuple[str, int, bool]]:
    """Names at the head of each entry of a party list: (name, offset in ``text``, entry defines it).

    The list must open with a name: text that starts otherwise is not a party list."""
    names: list[tuple[str, int, bool]] = []
    pos = 0
    gap = "x"  # text between the previous name and the separator before this one
    while pos < len(text) and len(names) < _MAX_PARTIES:
        lead = _LEAD.match(text, pos)
        start = lead.end() if lead else pos
        match = NAME.match(text, start)
        name = None
        after = start + 1
        if match:
            raw = text[match.start() : match.end()]
            # Restore a suffix's dot cut by the pattern's boundary: "Inc" followed by "." in the text.
            if text[match.end() : match.end() + 1] == "." and re.search(rf"{_SUFFIX}$", raw):
                raw += "."
            # "NLS-1 Pharma AG Alter Postplatz 2 6370 Stans": an address after the suffix on its line.
            cut = corporate_end(raw)
            name = _clean(cut)
            after = match.start() + len(cut) if cut != raw else match.end()
        if not names and name is None:
            return []
        separator = _SEPARATOR.search(text, after, min(len(text), after + 900))
        while separator is not None and _PLACE_LIST.search(
            text, max(after, separator.start() - 60), separator.start()
        ):
            # "registered in England and Wales", "offices in Berlin and Munich": a list of places inside
            # this entry's description, not the next party.
            separator = _SEPARATOR.search(text, separator.end(), min(len(text), after + 900))
        entry = text[after : separator.start() if separator else min(len(text), after + 300)]
        defined = bool(_DEFINITION.search(entry))
        if name and names and not names[-1][2] and not gap.strip() and _merge_ok(names[-1][0], name):
            # "Beijing Baidu Netcom Science and Technology Co., Ltd.": the "and" was inside the name.
            previous = names.pop()
            names.append((f"{previous[0]} and {name}", previous[1], defined))
        elif name and name.lower() not in {n.lower() for n, _, _ in names}:
            names.append((name, start, defined))
        if separator is None:
            break
        if len(names) >= 2 and _SENTENCE_STOP.search(text, after, separator.start()):
            # The opening sentence has ended; what follows is the contract's body.
            break
        gap = entry
        pos = separator.end()
    return names


def _merge_ok(previous: str, following: str) -> bool:
    return (
        len(previous.split()) >= 2
        and not has_suffix(previous)
        and not re.match(r"(?:Mr|Ms|Mrs|Dr)\b", previous)
        and bool(_SUFFIX_END.search(following))
    )


def _drop_aliases(names: list[tuple[str, int, bool]], segment: str) -> list[tuple[str, int, bool]]:
    """A defined alias ("Kubient", "the Company") read as another entry is not another party."""
    # Defined in brackets ('(the "Company")') or only quoted ('NLS-1 Pharma AG ... "Licensor" / "NLS"').
    quoted = re.findall(r"\"([^\"]{1,40})\"", segment)
    aliases = {alias.lower().removeprefix("the ") for alias in [*_ALIAS.findall(segment), *quoted]}
    kept: list[tuple[str, int, bool]] = []
    for name, offset, defined in names:
        key = name.lower().removeprefix("the ")
        if (
            kept
            and not defined
            and (key in aliases or any(k.lower().startswith(key + " ") for k, _, _ in kept))
        ):
            continue
        kept.append((name, offset, defined))
    return kept


def _segment(flat: str, start: int, stops: list[int]) -> str:
    """From a cue to the first recital or "collectively the Parties" (or a length bound). ``stops``: where
    _SEGMENT_END matches in the opening, found once rather than once per cue."""
    end = min(len(flat), start + _SEGMENT_CHARS)
    index = bisect.bisect_left(stops, start)
    if index < len(stops) and stops[index] < end:
        end = stops[index]
    return flat[start:end]


def _score(found: list[tuple[str, int, bool]]) -> int:
    return sum(1 for _, _, defined in found if defined)


def preamble_list(doc: Document) -> Parties | None:
    """The party list that follows the opening's cue words (or an early line head), best read first."""
    flat = doc.flat
    window = flat[:_SEARCH_CHARS]
    # (defined entries, 0 after a cue word / 1 from a line head, start offset, names)
    candidates: list[tuple[int, int, int, list[tuple[str, int, bool]]]] = []
    starts = [cue.end() for cue in _CUE.finditer(window)]
    cue_count = len(starts)
    # Without a cue word the opening lines themselves list the parties ("X, a Michigan corporation, and Y
    # ... agree as follows"): try the head of each early line too.
    offset = 0
    for line in doc.lines[:40]:
        if line:
            found_at = flat.find(line[:40], offset)
            if found_at >= 0:
                starts.append(found_at)
                offset = found_at
    stops = [m.start() for m in _SEGMENT_END.finditer(flat, 0, _SEARCH_CHARS + _SEGMENT_CHARS)]
    # In text order: the first list of defined entries is the answer (the earliest of the best class),
    # so reading stops there instead of reading a list at every later line head.
    ordered = sorted((start, 0 if index < cue_count else 1) for index, start in enumerate(starts))
    for start, kind in ordered:
        segment = _segment(flat, start, stops)
        found = _drop_aliases(_read_list(segment), segment)
        if found and kind == 1:
            first_end = found[0][1] + len(found[0][0])
            if not found[0][2] or _CUE.search(segment, first_end, first_end + 200):
                # From a line head, only a list that opens with a defined party ("X, a Delaware
                # corporation"), and not a title followed by "BETWEEN:".
                continue
        if found:
            candidates.append((_score(found), kind, start, found))
            if candidates[-1][0] >= 2 and len(found) >= 2:
                break
    if not candidates:
        return None
    # The first list whose entries read as party definitions (alias, description, address); then one
    # with a single defined entry; a bare "X and Y" after a cue word (a cover page) as a last resort.
    pairs = (
        [c for c in candidates if c[0] >= 2 and len(c[3]) >= 2]
        or [c for c in candidates if c[0] >= 1 and c[1] == 0]
        or [c for c in candidates if c[0] >= 1 and len(c[3]) >= 2]
        or [c for c in candidates if len(c[3]) >= 2 and c[1] == 0]
        or candidates
    )
    defined, _, base, names = min(pairs, key=lambda c: c[2])
    first = base + names[0][1]
    return Parties([name for name, _, _ in names], doc.sentence(first, first + len(names[0][0])), defined)
