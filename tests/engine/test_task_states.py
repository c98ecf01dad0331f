"""Reading states in bulk and turning a stored result into an outcome."""

from __future__ import annotations

import json

import pytest

from core.engine.task_states import classify, fast_status


@pytest.mark.parametrize(
    ("meta", "outcome", "error"),
    [
        ({"status": "SUCCESS", "result": {"outcome": "succeeded", "result": {"a": 1}}}, "succeeded", None),
        ({"status": "SUCCESS", "result": {"outcome": "rejected", "error": "no"}}, "rejected", "no"),
        ({"status": "SUCCESS", "result": 42}, "succeeded", None),  # a foreign task's plain result
        ({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["bad"]}}, "failed",
         "ValueError: bad"),
        ({"status": "FAILURE", "result": {"exc_type": "SoftTimeLimitExceeded", "exc_message": []}},
         "timed_out", "soft time limit exceeded"),
        ({"status": "FAILURE", "result": {"exc_type": "TimeLimitExceeded", "exc_message": [6.0]}},
         "timed_out", "hard time limit (6.0 s) exceeded"),
        ({"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["SIGKILL"]}},
         "failed", "worker process died: SIGKILL"),
        ({"status": "REVOKED", "result": {"exc_type": "TaskRevokedError", "exc_message": ["terminated"]}},
         "revoked", "revoked (terminated)"),
        ({"status": "REVOKED", "result": {"exc_type": "TaskRevokedError",
                                          "exc_message": ["lost: started after its batch's deadline"]}},
         "lost", "started after its batch's deadline"),
        ({"status": "STARTED", "result": {"pid": 1}}, None, None),
        ({"status": "RETRY", "result": None}, None, None),
        (None, None, None),
    ],
)
def test_classify(meta: dict | None, outcome: str | None, error: str | None) -> None:
    c = classify(meta)
    assert (c.outcome, c.error) == (outcome, error)


def test_fast_status_matches_full_decode() -> None:
    for status in ("SUCCESS", "FAILURE", "STARTED"):
        raw = json.dumps({"status": status, "result": {"x": '"status": "NOPE"'}}).encode()
        assert fast_status(raw) == status
    assert fast_status(None) == "PENDING"
    assert fast_status(b'{"result": 1, "status": "REVOKED"}') == "REVOKED"  # other key order
