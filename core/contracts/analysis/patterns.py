"""Pattern pieces shared by the extractors. Each gap between words is bounded ({0,N}), so matching stays
linear on adversarial input: no nested unbounded repetition anywhere."""

from __future__ import annotations

import re

from core.contracts.analysis.dates import DATE_PATTERN, NOT_AFTER
from core.contracts.analysis.numbers import NUMBER

# A date inside a bigger pattern: named groups of DATE_PATTERN can only appear once, so wrap a renamed copy.
_GROUP_NAME = re.compile(r"\(\?P<(\w+)>")


def date_group(name: str) -> str:
    """DATE_PATTERN as one named group, its inner group names prefixed so it can be embedded."""
    inner = _GROUP_NAME.sub(lambda m: f"(?P<{name}_{m.group(1)}>", DATE_PATTERN)
    return rf"(?P<{name}>{NOT_AFTER}(?:{inner}))"


def duration(tag: str = "") -> str:
    """'five (5) years', 'one-year', '12 months', 'thirty (30) calendar days', 'four (4) Processing Years'.

    Groups are ``num<tag>`` and ``unit<tag>``: a pattern with several alternatives needs distinct tags.
    """
    return (
        rf"(?P<num{tag}>{NUMBER})\s*(?:-\s*|\s+)(?:full\s+|calendar\s+|business\s+|consecutive\s+|"
        rf"contract\s+|processing\s+|successive\s+)?(?P<unit{tag}>years?|months?|weeks?|days?)\b"
    )


DURATION = duration()
