"""A duration as contracts state it ("five (5) years"), and date arithmetic with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from core.contracts.analysis.numbers import parse_number


@dataclass(frozen=True, slots=True)
class Duration:
    count: int
    unit: str  # "year", "month", "week" or "day"

    def label(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"

    def after(self, start: date) -> date:
        return start + relativedelta(**{f"{self.unit}s": self.count})  # type: ignore[arg-type]

    def days(self) -> int:
        return self.count * {"year": 365, "month": 30, "week": 7, "day": 1}[self.unit]


def parse_duration(match: re.Match[str]) -> Duration | None:
    groups = match.groupdict()
    for key, value in groups.items():
        if key.startswith("num") and value:
            count = parse_number(value)
            unit = groups["unit" + key[3:]]
            if count and unit:
                return Duration(count, unit.lower().rstrip("s"))
    return None
