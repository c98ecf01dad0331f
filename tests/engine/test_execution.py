"""Running a processor on one contract, without Celery."""

from __future__ import annotations

import pytest

from core import Contract, ContractRejected
from core.engine.execution import execute
from core.engine.task_states import classify


def test_execute_outcomes() -> None:
    c = Contract("a.txt", b"hello", "text/plain")
    assert execute(lambda k: {"n": len(k.data)}, c)["result"] == {"n": 5}

    def reject(k: Contract) -> dict:
        raise ContractRejected("not a contract")

    out = execute(reject, c)
    assert (out["outcome"], out["error"], out["result"]) == ("rejected", "not a contract", None)
    with pytest.raises(TypeError, match="not JSON-serializable"):
        execute(lambda k: {"when": object()}, c)
    with pytest.raises(TypeError, match="expected a dict"):
        execute(lambda k: [1], c)  # type: ignore[arg-type, return-value]


def test_a_processors_own_timeout_error_is_a_failure_not_a_time_limit() -> None:
    c = classify({"status": "FAILURE", "result": {"exc_type": "TimeoutError", "exc_message": ["socket"]}})
    assert (c.outcome, c.error) == ("failed", "TimeoutError: socket")
