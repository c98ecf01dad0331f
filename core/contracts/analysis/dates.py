"""Calendar dates as contracts write them, found by one linear pattern and parsed by python-dateutil.

Forms: "June 8, 2010", "May 3,2006", "the 22nd day of August 2005", "the first (1st) day of June, 2000",
"15TH DECEMBER 2001", "18 May 2000", "2010-06-08", "06/08/2010" (month first unless the first number cannot
be a month). Blanks left in a form ("this ____ day of ______, 2000") are not dates: only the year would be
known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil import parser as date_parser

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
# "the twenty-first day of July": the day written as an ordinal word.
_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = (
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth",
)  # fmt: skip
DAY_WORDS: dict[str, int] = {word: n for n, word in enumerate(_UNITS, 1)}
DAY_WORDS |= {word: n for n, word in enumerate(_TEENS, 10)}
DAY_WORDS |= {"twentieth": 20, "thirtieth": 30, "thirty-first": 31}
DAY_WORDS |= {f"twenty-{word}": 20 + n for n, word in enumerate(_UNITS, 1)}
# Compact (few branches tried at each position of a date window), read back through DAY_WORDS.
_DAY_WORD = (
    r"(?=[efnst])(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|"
    r"eleventh|twelfth|(?:thir|four|fif|six|seven|eigh|nine)teenth|twentieth|thirtieth"
)
# "A.D. 2000", "in the year 2000": words before the year.
_YEAR_LEAD = r"(?:in\s+the\s+year\s+(?:of\s+our\s+Lord\s+)?|A\.?\s?D\.?\s+)?"
DATE_PATTERN = (
    # the 22nd day of August, 2005 / 22nd day of August 2005 / the first day of June, A.D. 2000
    # ... and the day in words and figures: the first (1st) day of June, 2000
    rf"(?P<dom>{_DAY}|{_DAY_WORD})(?:\s*\(\s*{_DAY}\s*\))?\s+day\s+of\s+(?P<dom_m>{_MONTH})\s*,?\s*"
    rf"{_YEAR_LEAD}(?P<dom_y>{_YEAR})"
    # June 8, 2010 / June 1st, 2020 / May 3,2006 / June 1, in the year 2000
    rf"|(?P<md_m>{_MONTH})\s+(?P<md_d>{_DAY})\s*,?\s*{_YEAR_LEAD}(?P<md_y>{_YEAR})"
    # 18 May 2000 / 15TH DECEMBER, 2001 / the 1st of June, 2000
    rf"|(?P<dm_d>{_DAY})\s+(?:of\s+)?(?P<dm_m>{_MONTH}),?\s+{_YEAR_LEAD}(?P<dm_y>{_YEAR})"
    # 2010-06-08, 2010/06/08
    r"|(?P<iso>(?:19|20)\d\d(?:-[01]?\d-|/[01]?\d/|\.[01]?\d\.)[0-3]?\d)(?![/.-]?\d)"
    # 06/08/2010, 18/9/2008, 6.8.2010
    rf"|(?P<num>[0-3]?\d[/.-][0-3]?\d[/.-](?:{_YEAR}|\d\d))(?![/.-]?\d)"
)
# Not a page number run into a month ("Page 2 May 2004" in a running header).
NOT_AFTER = r"(?<![\w/.-])(?<!Page )(?<!PAGE )"
DATE_RE = re.compile(rf"{NOT_AFTER}(?:{DATE_PATTERN})\b", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: date
    start: int
    end: int
    text: str


def _parse_numeric(text: str) -> date | None:
    first, second, year = re.split(r"[/.-]", text)
    y = int(year)
    if y < 100:
        y += 2000 if y < 50 else 1900
    a, b = int(first), int(second)
    # US filings write month first with slashes or dashes; dots are the European day-first form
    # ("01.06.2000"); a first number above 12 can only be a day.
    day_first = a > 12 or (text[len(first)] == "." and b <= 12)
    month, day = (b, a) if day_first else (a, b)
    try:
        return date(y, month, day)
    except ValueError:
        return None


def parse_match(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        if groups["num"]:
            return _parse_numeric(groups["num"])
        if groups["iso"]:
            year, month, day = re.split(r"[-/.]", groups["iso"])
            return date(int(year), int(month), int(day))
        if groups["dom"]:
            day = re.sub(r"^(twenty|thirty)(?=[a-z])", r"\1-", re.sub(r"[\s-]+", "-", groups["dom"].lower()))
            if day[:1].isalpha() and day not in DAY_WORDS:
                return None  # "thirty-ninth"
            day = str(DAY_WORDS[day]) if day in DAY_WORDS else _ORDINAL.sub("", day)
            text = f"{day} {groups['dom_m']} {groups['dom_y']}"
        elif groups["md_m"]:
            text = f"{_ORDINAL.sub('', groups['md_d'])} {groups['md_m']} {groups['md_y']}"
        else:
            text = f"{_ORDINAL.sub('', groups['dm_d'])} {groups['dm_m']} {groups['dm_y']}"
        return date_parser.parse(text.replace(".", ""), dayfirst=True, fuzzy=False).date()
    except (ValueError, OverflowError, date_parser.ParserError):
        return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[FoundDate]:
    end = len(text) if end is None else end
    found = []
    for match in DATE_RE.finditer(text, start, end):
        value = parse_match(match)
        if value is not None:
            found.append(FoundDate(value, match.start(), match.end(), match.group()))
    return found


def first_date(text: str) -> FoundDate | None:
    dates = find_dates(text)
    return dates[0] if dates else None
