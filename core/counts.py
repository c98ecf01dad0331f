"""The counts a person sees about a batch, defined once: the grid's state bar, the progress line, History,
the report, the CLI and the email all take them from here, so that no two places disagree.

- ``total``: every contract of the batch, files rejected while loading included;
- ``done``: contracts with an outcome (a load rejection has one from the start);
- ``succeeded``: the outcome ``succeeded``;
- ``needs_attention``: done but not succeeded (rejected, failed, timed out, revoked, lost): a person has to
  look at each of them, because the batch could not read it to its end;
- ``failed``: the outcome ``failed`` only, the same word the state bar shows (a revoked or timed-out
  contract is not called failed anywhere).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.outcome import ALL_OUTCOMES, Outcome

UNFINISHED = "unfinished"  # the key stored counts use for contracts without an outcome yet


@dataclass(frozen=True, slots=True)
class BatchCounts:
    outcomes: Mapping[str, int]  # each of ALL_OUTCOMES, in that order
    unfinished: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[str | None]) -> BatchCounts:
        """From one outcome (or None while unfinished) per contract."""
        tally = dict.fromkeys(ALL_OUTCOMES, 0)
        unfinished = 0
        for outcome in outcomes:
            if outcome in tally:
                tally[outcome] += 1
            else:
                unfinished += 1
        return cls(tally, unfinished)

    @classmethod
    def from_mapping(cls, counts: Mapping[str, object]) -> BatchCounts:
        """From stored counts (``{"succeeded": 3, "unfinished": 2}``); unknown keys and bad values count
        as nothing, so a hand-edited or older record never breaks a view."""

        def number(key: str) -> int:
            value = counts.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

        return cls({o: number(o) for o in ALL_OUTCOMES}, number(UNFINISHED))

    def as_mapping(self) -> dict[str, int]:
        """What is stored: the non-zero outcomes and ``unfinished``."""
        stored = {o: n for o, n in self.outcomes.items() if n}
        if self.unfinished:
            stored[UNFINISHED] = self.unfinished
        return stored

    def of_outcome(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)

    @property
    def done(self) -> int:
        return sum(self.outcomes.values())

    @property
    def total(self) -> int:
        return self.done + self.unfinished

    @property
    def succeeded(self) -> int:
        return self.of_outcome(Outcome.SUCCEEDED)

    @property
    def failed(self) -> int:
        return self.of_outcome(Outcome.FAILED)

    @property
    def needs_attention(self) -> int:
        return self.done - self.succeeded

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.done if self.done else None


def attention_words(n: int) -> str:
    """"1 needs attention", "3 need attention": the one phrase every surface uses."""
    return f"{n:,} {'needs' if n == 1 else 'need'} attention"
