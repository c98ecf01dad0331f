"""Tasks for the chord benchmark: a plain Celery chord's header and body, on our app and its workers.

Start a worker with ``celery -A benchmarks.chord_tasks worker``: it serves both the resilient chord
(``contract_batch.*``) and these plain tasks, so both chords run on the very same processes.
"""

from __future__ import annotations

import os
import time
from typing import Any

from core.contracts.contract import Contract
from core.engine.app import configure_app
from core.engine.worker_app import app  # the engine's tasks and watchdog, as `contract-batch worker` has

configure_app(os.environ.get("CONTRACT_BATCH_BROKER", "redis://127.0.0.1:6390/0"))


def trivial(contract: Contract) -> dict[str, Any]:
    """The processor both chords run: as little work as possible, so overhead is all that is measured."""
    return {"size": len(contract.data)}


# A queue of their own: the engine's queues take only the engine's tasks (the message guard sets others
# aside), and the benchmark's worker consumes this one too.
BENCH_QUEUE = "bench"


@app.task(name="bench.plain_process", acks_late=True, queue=BENCH_QUEUE)
def plain_process(batch_id: str, contract: dict[str, Any]) -> dict[str, Any]:
    return {"outcome": "succeeded", "result": trivial(Contract.from_message(contract))}


@app.task(name="bench.plain_done", queue=BENCH_QUEUE)
def plain_done(results: list[Any], run_id: str) -> None:
    app.backend.client.set(f"bench:done:{run_id}", repr(time.time()))
