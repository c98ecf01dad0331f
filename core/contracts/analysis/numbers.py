"""Numbers as contracts write them: "five (5)", "twenty-five", "12", "one hundred twenty (120)"."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
    "one hundred": 100, "hundred": 100,
}  # fmt: skip
_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
# "twenty-five (25)", "thirty (30)", "90", "one hundred twenty (120)", "a", "an"
NUMBER = (
    rf"(?:(?:{_WORD}(?:[- ](?:and[- ])?{_WORD}){{0,3}})\s*\(\s*\d{{1,4}}\s*\)|\d{{1,4}}"
    rf"|{_WORD}(?:[- ](?:and[- ])?{_WORD}){{0,3}}|an?)"
)
_DIGITS = re.compile(r"\d{1,4}")


def parse_number(text: str) -> int | None:
    """Value of a NUMBER match; digits in parentheses win over the words (they are the binding figure)."""
    found = _DIGITS.search(text)
    if found:
        return int(found.group())
    total = 0
    current = 0
    for word in re.split(r"[- ]+", text.lower().strip()):
        if word == "and" or not word:
            continue
        if word == "hundred":
            current = max(current, 1) * 100
            continue
        value = _UNITS.get(word)
        if value is None:
            return None
        current += value
    total += current
    return total or None
