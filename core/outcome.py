"""The six outcomes a contract can end a batch with."""

from enum import StrEnum


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    REVOKED = "revoked"
    LOST = "lost"


ALL_OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
# Outcomes the desktop app's Retry runs again.
RETRYABLE_OUTCOMES: frozenset[str] = frozenset(
    {Outcome.FAILED, Outcome.TIMED_OUT, Outcome.REVOKED, Outcome.LOST}
)
