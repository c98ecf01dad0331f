"""Reading 10,000 task states from frozen ids: per-id AsyncResult.state vs our bulk reads, one run.

Results are written in Celery's own format and key layout (9,000 SUCCESS with a realistic analysis
result, 500 FAILURE, 500 never written), then read back three ways; the bulk reads also with redis-py's
pure-Python reply parser beside hiredis (what a client without hiredis installed gets), in wall time and
in the reading thread's CPU time (what a GUI thread beside it competes with for the interpreter lock).

    python benchmarks/state_reads.py [--ids 10000] [--rounds 5]
    python benchmarks/state_reads.py --ids 100000 --rounds 3     # a big batch's poll at its start
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


def timed(fn: Callable[[], object], rounds: int, cpu: list[float] | None = None) -> tuple[float, object]:
    """The median wall time of ``rounds`` calls (and, given ``cpu``, their median thread CPU time)."""
    samples, cpus, value = [], [], None
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.thread_time()
        value = fn()
        samples.append(time.perf_counter() - start)
        cpus.append(time.thread_time() - start_cpu)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(samples), value


def parsers(url: str) -> list[tuple[str, object]]:
    """A client per reply parser redis-py has here: its pure-Python one, and hiredis when installed."""
    import redis
    from redis._parsers import _HiredisParser, _RESP2Parser
    from redis.utils import HIREDIS_AVAILABLE

    chosen = [("python parser", _RESP2Parser)] + ([("hiredis", _HiredisParser)] if HIREDIS_AVAILABLE else [])
    return [(name, redis.Redis(connection_pool=redis.ConnectionPool.from_url(url, parser_class=cls)))
            for name, cls in chosen]


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
        print("  by reply parser (wall / the reading thread's CPU):")
        unfinished = ids[-n_fail:]  # a big batch's poll at its start reads ids without a result yet
        for name, rc in parsers(server.url):
            cpu: list[float] = []
            wall = [timed(lambda rc=rc: read_states(rc, ids), args.rounds, cpu)[0],
                    timed(lambda rc=rc: read_states(rc, unfinished * 20), args.rounds, cpu)[0],
                    timed(lambda rc=rc: read_snapshots(rc, batch_id, ids), args.rounds, cpu)[0]]
            print(f"    {name:14} read_states {wall[0] * 1000:6.1f} / {cpu[0] * 1000:6.1f} ms, "
                  f"{len(unfinished) * 20:,} unfinished {wall[1] * 1000:6.1f} / {cpu[1] * 1000:6.1f} ms, "
                  f"read_snapshots {wall[2] * 1000:6.1f} / {cpu[2] * 1000:6.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
