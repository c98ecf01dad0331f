"""Notice periods: days of notice to stop a renewal (preferred) or to end the contract at will."""

from __future__ import annotations

import bisect
import re

from core.contracts.analysis.durations import parse_duration as _duration
from core.contracts.analysis.patterns import duration
from core.contracts.analysis.prose import Document

_NOTICE = re.compile(
    rf"{duration('a')}(?:'s?)?\s+(?:\(\d{{1,4}}\)\s*)?(?:(?:prior|advance|written|previous|express)\s+){{0,3}}"
    rf"(?:notice|notification)|"
    rf"\bnotice\b[^.;]{{0,80}}?\b(?:at\s+least|no\s+(?:less|later|fewer)\s+than|not\s+(?:less|later)\s+than|"
    rf"minimum\s+of|within)\s+{duration('b')}|"
    rf"\b(?:at\s+least|no\s+(?:less|later|fewer)\s+than|not\s+(?:less|later)\s+than)\s+{duration('c')}\s+"
    rf"(?:prior\s+to|before|in\s+advance)",
    re.IGNORECASE,
)
_RENEWAL_CONTEXT = re.compile(
    r"\b(?:renew\w*|non-?renewal|expir\w*|end\s+of\s+the\s+(?:initial\s+)?term)", re.IGNORECASE
)
_TERMINATION_CONTEXT = re.compile(
    r"\bterminat\w*\b[^.;]{0,120}?\b(?:for\s+convenience|without\s+cause|at\s+any\s+time|for\s+any\s+reason)"
    r"|\b(?:for\s+convenience|without\s+cause|at\s+any\s+time|for\s+any\s+reason)\b[^.;]{0,120}?\bterminat",
    re.IGNORECASE,
)


_NOTICE_WORD = re.compile(r"notic|notif", re.IGNORECASE)


def notice(doc: Document) -> tuple[int | None, str | None]:
    """Days of notice to stop a renewal (preferred) or to end the contract at will.

    The notice pattern runs only in a window around each "notice" word: running it over the whole text
    was the analyzer's slowest step."""
    flat = doc.flat
    fallback: tuple[int, str] | None = None
    seen_until = -1
    if doc.lower:
        words = sorted(doc.word_starts("notic") + doc.word_starts("notif"))
        # Every alternative needs a duration, hence a unit word: a window without one is skipped.
        units: list[int] | None = sorted(
            at for unit in ("day", "week", "month", "year") for at in doc.word_starts(unit)
        )
    else:
        words = [m.start() for m in _NOTICE_WORD.finditer(flat)]
        units = None
    for at in words:
        if at < seen_until:
            continue
        lo, hi = max(0, at - 160), min(len(flat), at + 165)
        if units is not None:
            nearest = bisect.bisect_left(units, lo)
            if nearest == len(units) or units[nearest] >= hi:
                continue
        seen_until = hi - 40
        for match in _NOTICE.finditer(flat, lo, hi):
            span = _duration(match)
            if span is None or (span.unit == "year" and span.count > 2):
                continue
            sentence = doc.sentence(match.start(), match.end())
            if _RENEWAL_CONTEXT.search(sentence):
                return span.days(), sentence
            if fallback is None and _TERMINATION_CONTEXT.search(sentence):
                fallback = (span.days(), sentence)
    if fallback:
        return fallback
    return None, None
