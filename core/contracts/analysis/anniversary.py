"""End dates written as anniversaries: "until the fifth (5th) anniversary of the Effective Date", "the day
prior to the fourth anniversary of the Effective Date", "the seventh anniversary of the date hereof"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15, "twentieth": 20,
    "twenty-fifth": 25, "thirtieth": 30,
}  # fmt: skip
_ORDINAL_WORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
ANNIVERSARY = re.compile(
    rf"\b(?:until|on|upon|through|to|at|expir\w*|end\w*|terminat\w*)\s+(?:the\s+)?"
    # "until the earlier of the below events occur: (a) The fifth (5th) anniversary of this Agreement"
    rf"(?:(?:earlier|earliest|later|first)\s+of\s+[^.;()]{{0,60}}?(?:\(\s*(?:a|i|1)\s*\)\s*)?(?:the\s+)?)?"
    rf"(?:close\s+of\s+business\s+on\s+"
    rf"(?:the\s+)?)?(?P<before>(?:last\s+)?day\s+(?:prior|before|preceding)\s+(?:to\s+)?(?:the\s+)?)?"
    rf"(?:(?P<word>{_ORDINAL_WORD})|(?P<digit>\d{{1,2}})(?:st|nd|rd|th)|(?P<count>\w+)\s*(?:\(\d{{1,2}}\))?\s*-?\s*"
    rf"years?)\s*(?:\(\s*\d{{1,2}}\s*(?:st|nd|rd|th)?\s*\))?\s*(?:-?\s*year\s+)?anniversary\s+of\s+(?:the\s+)?"
    rf"(?P<anchor>[^.;,()]{{0,40}})",
    re.IGNORECASE,
)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}  # fmt: skip


def years_of(match: re.Match[str]) -> int | None:
    if match.group("word"):
        return _ORDINALS[match.group("word").lower()]
    if match.group("digit"):
        return int(match.group("digit"))
    count = match.group("count")
    if count:
        return int(count) if count.isdigit() else _COUNT_WORDS.get(count.lower())
    return None


def anniversary_date(match: re.Match[str], start: date) -> date | None:
    years = years_of(match)
    if not years:
        return None
    end = start + relativedelta(years=years)
    return end - timedelta(days=1) if match.group("before") else end
