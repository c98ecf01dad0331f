"""Running one processor on one contract: the plain function a header task wraps (testable without Celery)."""

from __future__ import annotations

import json
import time
from typing import Any

from core.contracts.contract import Contract, ContractRejected
from core.engine.processors import Processor
from core.outcome import Outcome


def execute(processor: Processor, contract: Contract) -> dict[str, Any]:
    """Return the task's result payload; any exception other than ContractRejected propagates (failed)."""
    start = time.perf_counter()
    try:
        result = processor(contract)
    except ContractRejected as exc:
        return {
            "outcome": Outcome.REJECTED.value,
            "error": exc.reason,
            "result": None,
            "runtime_s": round(time.perf_counter() - start, 4),
        }
    if not isinstance(result, dict):
        raise TypeError(f"processor returned {type(result).__name__}, expected a dict")
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        # Caught here with a readable message rather than as an opaque EncodeError when Celery stores it.
        raise TypeError(f"processor result is not JSON-serializable: {exc}") from None
    return {
        "outcome": Outcome.SUCCEEDED.value,
        "error": None,
        "result": result,
        "runtime_s": round(time.perf_counter() - start, 4),
    }
