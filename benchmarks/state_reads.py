"""Reading 10,000 task states from frozen ids: per-id AsyncResult.state vs our bulk reads, one run.

Results are written in Celery's own format and key layout (9,000 SUCCESS with a realistic analysis
result, 500 FAILURE, 500 never written), then read back three ways.

    python benchmarks/state_reads.py [--ids 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.local.server import RedisServer  # noqa: E402

RESULT = {
    "title": "Master Services Agreement", "contract_type": "services", "parties": ["Acme Corp", "Globex Ltd"],
    "agreement_date": "2024-01-15", "effective_date": "2024-02-01", "expiration_date": "2027-01-31",
    "governing_law": "State of New York", "value": {"amount": 125000.0, "currency": "USD"},
    "risk_flags": ["auto_renews"], "evidence": {"governing_law": "This Agreement shall be governed by " * 4},
}


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    samples, value = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ids", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = RedisServer(data_dir=Path(tempfile.mkdtemp(prefix="cbm-bench-")), appendonly=False).start()
    try:
        from celery.result import AsyncResult

        from core.engine.client import BatchClient
        from core.engine.task_states import read_snapshots, read_states

        client = BatchClient(server.url)
        backend = client.app.backend
        batch_id = "benchstates"
        ids = [f"{batch_id}-{i}" for i in range(args.ids)]
        n_fail = args.ids // 20
        for i, task_id in enumerate(ids):
            if i < args.ids - 2 * n_fail:
                payload = {"outcome": "succeeded", "error": None, "result": RESULT, "runtime_s": 0.1}
                backend.store_result(task_id, payload, "SUCCESS")
            elif i < args.ids - n_fail:
                backend.store_result(task_id, ValueError("bad contract"), "FAILURE")
        r = client.redis

        per_id, states_a = timed(lambda: [AsyncResult(t, app=client.app).state for t in ids], 1)
        fast, states_b = timed(lambda: read_states(r, ids), args.rounds)
        full, snaps = timed(lambda: read_snapshots(r, batch_id, ids), args.rounds)
        assert states_a == states_b == [s.state for s in snaps]  # type: ignore[union-attr]
        print(f"{args.ids} ids ({args.ids - 2 * n_fail} SUCCESS, {n_fail} FAILURE, {n_fail} missing), "
              f"median of {args.rounds}")
        print(f"  AsyncResult(id).state, one by one   {per_id * 1000:8.1f} ms")
        print(f"  read_states (pipelined MGET, status) {fast * 1000:8.1f} ms   x{per_id / fast:.0f} faster")
        print(f"  read_snapshots (full detail)         {full * 1000:8.1f} ms   x{per_id / full:.0f} faster")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
