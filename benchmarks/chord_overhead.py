"""Resilient chord vs a plain Celery chord: same 1,000 trivial contracts, same workers, one run.

Measures dispatch to final report (resilient: the report's ``finished_at``; plain: the time the chord
body ran), alternating the two over several rounds, and prints the medians and their ratio.

    python benchmarks/chord_overhead.py [--contracts 1000] [--rounds 5] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.local.server import RedisServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cbm-bench-"))
    server = RedisServer(data_dir=tmp / "redis", appendonly=False).start()
    os.environ["CONTRACT_BATCH_BROKER"] = server.url
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "CONTRACT_BATCH_PROCESSOR": "benchmarks.chord_tasks:trivial"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "benchmarks.chord_tasks", "worker", "-P", "prefork",
         "-c", str(args.concurrency), "-Q", "contract_batch,contract_batch.control,bench", "-l", "WARNING",
         "-n", f"bench{os.getpid()}@%h", "-E"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "worker.log").open("wb"),
        start_new_session=True,
    )
    try:
        from celery import chord

        from benchmarks.chord_tasks import plain_done, plain_process
        from core.contracts.contract import Contract
        from core.engine.client import BatchClient

        client = BatchClient(server.url)
        deadline = time.monotonic() + 60
        while not client.workers(timeout=0.5):
            if time.monotonic() > deadline:
                raise SystemExit("worker did not start; see " + str(tmp / "worker.log"))
        contracts = [Contract(f"c{i:05d}.txt", f"contract {i}".encode(), "text/plain")
                     for i in range(args.contracts)]
        r = client.redis

        def resilient() -> float:
            start = time.time()
            meta = client.launch(contracts)
            while (report := client.report(meta.batch_id)) is None:
                time.sleep(0.005)
            assert report["counts"]["succeeded"] == args.contracts, report["counts"]
            return datetime.fromisoformat(report["finished_at"]).timestamp() - start

        def plain() -> float:
            run_id = uuid.uuid4().hex[:12]
            header = [plain_process.s(run_id, c.to_message()) for c in contracts]
            start = time.time()
            # Dispatched the same way as the resilient chord (no per-task pub/sub subscriptions).
            with client.app.backend.dispatching():
                chord(header, plain_done.s(run_id)).apply_async()
            while (done := r.get(f"bench:done:{run_id}")) is None:
                time.sleep(0.005)
            return float(done) - start

        plain(), resilient()  # warm-up: imports, connections, pool processes
        times: dict[str, list[float]] = {"plain": [], "resilient": []}
        for _ in range(args.rounds):
            times["plain"].append(plain())
            times["resilient"].append(resilient())
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{args.contracts} trivial contracts, {args.concurrency} prefork processes, "
              f"{args.rounds} rounds (median, dispatch to final report)")
        for k, v in times.items():
            print(f"  {k:<10} {med[k]:.3f} s   runs: {', '.join(f'{x:.3f}' for x in v)}")
        print(f"  ratio resilient/plain: {med['resilient'] / med['plain']:.3f}")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        server.stop()


if __name__ == "__main__":
    main()
