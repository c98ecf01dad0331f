"""Soak: batches of contracts with random faults of every kind the engine promises to survive, for a fixed
time. Every batch must end with exactly one report holding every contract once.

    python benchmarks/soak.py [--minutes 10] [--contracts 5000] [--workers 2] [--seed 1]

Faults: contracts that raise, that exceed the soft time limit, whose pool process is SIGKILLed once (by
the contract itself) or killed from outside; whole workers SIGKILLed and restarted; Redis restarted
(append-only file on) for a few seconds; random unfinished tasks revoked (some terminated). Each batch
has a deadline, so a message lost with a killed worker still ends in the report (as ``lost``).

Prints per batch and in total: batches run, reports produced (must equal batches), contracts missing from
or repeated in a report (must be 0), outcomes, and the worst time from a batch's deadline to its report.
Starts its own Redis on a free loopback port and its own workers; stops them all at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.contracts.loader import load_paths  # noqa: E402
from core.engine.client import BatchClient  # noqa: E402
from core.engine.settings import EngineSettings  # noqa: E402
from core.local.server import RedisServer, free_port  # noqa: E402

# Short engine periods so faults resolve in seconds (the engine tests use the same idea).
ENV = {
    "CONTRACT_BATCH_SWEEP_INTERVAL": "0.5",
    "CONTRACT_BATCH_RETRY_DELAY": "0.2",
    "CONTRACT_BATCH_FINALIZE_LEASE": "5",
    "CONTRACT_BATCH_VISIBILITY_TIMEOUT": "12",
    "CONTRACT_BATCH_RESTORE_INTERVAL": "1",
    "CONTRACT_BATCH_SOFT_TIME_LIMIT": "2",
    "CONTRACT_BATCH_TIME_LIMIT": "3",
}
# Contract instructions (tests/engine/processors.py) and their share of a batch.
MIX = [("ok", 0.955), ("raise", 0.03), ("reject", 0.01), ("killonce", 0.003), ("soft", 0.002)]


def deadline_for(contracts: int) -> float:
    """Long enough for a batch on two cores with its faults; a batch that lost messages ends here."""
    return max(60.0, contracts / 25)


class Soak:
    def __init__(self, tmp: Path, workers: int, rng: random.Random) -> None:
        self.tmp, self.rng, self.port = tmp, rng, free_port()
        self.server = self._redis()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.markers = tmp / "markers"
        self.markers.mkdir()
        self.env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT), "CB_TEST_MARKER_DIR": str(self.markers)}
        os.environ.update(ENV)
        self.workers: list[subprocess.Popen[bytes]] = [self._worker(i) for i in range(workers)]
        self.client = BatchClient(self.url, EngineSettings.from_env())
        self.faults: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _redis(self) -> RedisServer:
        return RedisServer(data_dir=self.tmp / "redis", port=self.port, appendonly=True).start()

    def _worker(self, i: int) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"worker{i}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "core.cli", "worker", "--broker", f"redis://127.0.0.1:{self.port}/0",
             "--concurrency", "2", "--processor", "tests.engine.processors:process",
             "--hostname", f"soak{i}-{os.getpid()}@x", "--loglevel", "WARNING"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    # -- faults from outside ---------------------------------------------------------------------------

    def chaos(self, stop: threading.Event, running: list[str]) -> None:
        while not stop.wait(self.rng.uniform(2.0, 6.0)):
            self.revive()
            action = self.rng.choice(["child", "child", "worker", "redis", "revoke", "revoke", "drop"])
            try:
                getattr(self, f"_fault_{action}")(running)
                self.faults[action] += 1
            except Exception as exc:  # a fault that could not be applied now (e.g. Redis is down)
                self.faults[f"{action} (skipped: {type(exc).__name__})"] += 1

    def revive(self) -> None:
        """A worker that exited on its own (not by a fault of ours: those restart it at once) is counted,
        with its last "Unrecoverable error", and started again, as a service manager would."""
        with self.lock:
            for i, w in enumerate(self.workers):
                if w.poll() is not None:
                    log = (self.tmp / f"worker{i}.log").read_text(errors="replace")
                    reasons = [line.split("Unrecoverable error:", 1)[1].strip()[:90]
                               for line in log.splitlines() if "Unrecoverable error:" in line]
                    why = reasons[-1] if reasons else "no reason logged"
                    self.faults[f"worker exited on its own: {why}"] += 1
                    self.workers[i] = self._worker(i)

    def _fault_child(self, running: list[str]) -> None:
        children = [c for w in self.workers if w.poll() is None for c in psutil.Process(w.pid).children()]
        if children:
            self.rng.choice(children).send_signal(signal.SIGKILL)

    def _fault_worker(self, running: list[str]) -> None:
        with self.lock:
            i = self.rng.randrange(len(self.workers))
            os.killpg(self.workers[i].pid, signal.SIGKILL)
            self.workers[i].wait(30)
            self.workers[i] = self._worker(i)

    def _fault_redis(self, running: list[str]) -> None:
        with self.lock:
            self.server.stop()
            time.sleep(self.rng.uniform(1.0, 5.0))  # the outage
            self.server = self._redis()

    def _fault_revoke(self, running: list[str]) -> None:
        if not running:
            return
        batch_id = running[0]
        ids = [e.task_id for e in self.client.entries(batch_id) if e.task_id]
        unfinished = [t for t, s in zip(ids, self.client.states(ids), strict=True)
                      if s in (None, "PENDING", "STARTED", "RETRY")]
        chosen = self.rng.sample(unfinished, min(len(unfinished), self.rng.randint(1, 5)))
        self.client.revoke(batch_id, chosen, terminate=self.rng.random() < 0.5)

    def _fault_drop(self, running: list[str]) -> None:
        """Messages lost outright (a broker losing data): only the batch's deadline ends it."""
        if not self.client.redis.llen("contract_batch"):
            raise LookupError("the queue is empty")  # counted as skipped
        for _ in range(self.rng.randint(1, 3)):
            self.client.redis.lpop("contract_batch")

    # -- one batch -------------------------------------------------------------------------------------

    def batch(self, n: int, index: int) -> dict[str, Any]:
        folder = self.tmp / f"batch{index}"
        folder.mkdir()
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        names = []
        for i in range(n):
            kind = self.rng.choices(kinds, weights)[0]
            name = f"{kind}-{index}-{i}.txt"
            (folder / name).write_text(f"contract {name}\n")
            names.append(name)
        meta = self.client.launch(load_paths([folder]).items, label=f"soak {index}", deadline=deadline_for(n))
        return {"batch_id": meta.batch_id, "names": names, "deadline_at": meta.deadline_at}

    def wait(self, batch_id: str, timeout: float) -> dict[str, Any] | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                report = self.client.report(batch_id)
            except Exception:
                report = None  # Redis restarting under us: keep waiting
            if report is not None:
                return report
            time.sleep(0.5)
        return None

    def close(self) -> None:
        for w in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(w.pid, signal.SIGKILL)
            w.wait(30)
        self.client.close()
        self.server.stop()


def check(launched: dict[str, Any], report: dict[str, Any] | None) -> dict[str, Any]:
    if report is None:
        return {"report": False, "missing": len(launched["names"]), "repeated": 0, "outcomes": {}}
    names = [c["name"] for c in report["contracts"]]
    counts = Counter(names)
    finished = time.mktime(time.strptime(report["finished_at"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    return {
        "report": True,
        "missing": len(set(launched["names"]) - set(names)),
        "repeated": sum(c - 1 for c in counts.values() if c > 1),
        "outcomes": report["counts"],
        "finalized_by": report["finalized_by"],
        "after_deadline_s": round(finished - launched["deadline_at"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="cbm-soak-"))
    soak = Soak(tmp, args.workers, rng)
    stop = threading.Event()
    running: list[str] = []
    chaos = threading.Thread(target=soak.chaos, args=(stop, running), daemon=True)
    results: list[dict[str, Any]] = []
    end = time.monotonic() + args.minutes * 60
    print(f"load average at start: {os.getloadavg()}", flush=True)
    try:
        while not soak.client.workers(timeout=1.0):
            time.sleep(0.5)
        chaos.start()
        index = 0
        while time.monotonic() < end:
            started = time.monotonic()
            launched = soak.batch(args.contracts, index)
            running[:] = [launched["batch_id"]]
            report = soak.wait(launched["batch_id"], timeout=deadline_for(args.contracts) + 120)
            running.clear()
            row = check(launched, report) | {"seconds": round(time.monotonic() - started, 1)}
            results.append(row)
            print(json.dumps({"batch": index, **row}), flush=True)
            index += 1
    finally:
        stop.set()
        soak.close()
    total = Counter[str]()
    for r in results:
        total.update(r["outcomes"])
    summary = {
        "batches": len(results),
        "reports": sum(r["report"] for r in results),
        "contracts_missing": sum(r["missing"] for r in results),
        "contracts_repeated": sum(r["repeated"] for r in results),
        "outcomes": dict(total),
        # Only batches that reached their deadline (lost messages): how long after it their report came.
        "worst_deadline_to_report_s": max(
            (r["after_deadline_s"] for r in results if r.get("finalized_by") == "deadline"), default=None),
        "finalized_by": dict(Counter(r.get("finalized_by") for r in results)),
        "faults": dict(soak.faults),
        "load_average_at_end": os.getloadavg(),
    }
    print(json.dumps(summary, indent=2))
    ok = summary["reports"] == summary["batches"] and not summary["contracts_missing"] and not (
        summary["contracts_repeated"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
