"""Throughput: the same loaded contracts through a bare process pool and through our engine, one run.

What a person with a folder and one machine could do instead is ``ProcessPoolExecutor(2)`` over the
analysis. The pool and one engine way (``--engine``), interleaved round by round on the same contracts
(every pool and worker warm):

* ``pool``   bare ``concurrent.futures.ProcessPoolExecutor`` calling the default processor;
* ``local``  local mode as the app and ``contract-batch run`` use it (private server on a unix socket,
             one local worker, niced), timed from launch to the report's ``finished_at``;
* ``redis``  the engine against a plain redis-server on loopback TCP with ``--workers`` Celery workers.

Two sets: the shared CUAD documents replicated (``--copies``), and small TXT/HTML/DOCX contracts cut from
them (``--small``). Prints the medians and the throughput ratio against the pool.

    python benchmarks/throughput.py [--engine local|redis] [--copies 12] [--small 400] [--rounds 3]
                                    [--concurrency 2] [--workers 1] [--inline] [--commandstats]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from html import escape
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.contracts.contract import Contract  # noqa: E402
from core.contracts.loader import load_paths  # noqa: E402
from core.engine.client import BatchClient  # noqa: E402
from core.engine.settings import EngineSettings  # noqa: E402

SHARED = ROOT.parent / "shared" / "contracts"


def _analyse(contract: Contract) -> str:
    from core.engine.execution import execute
    from core.engine.tasks import current_processor

    return str(execute(current_processor(), contract)["outcome"])


def real_contracts(copies: int) -> list[Contract]:
    # The documents only: the folder's annotations (ground_truth.json, one contract per entry) and README
    # would load as contracts too.
    documents = [p for p in sorted((SHARED / "cuad").iterdir())
                 if p.suffix in (".pdf", ".txt", ".docx", ".html")]
    originals = load_paths(documents).contracts
    return [Contract(f"{k:02d}-{c.name}", c.data, c.media_type) for k in range(copies) for c in originals]


def small_contracts(count: int) -> list[Contract]:
    """The opening 3,000 characters of real contracts, as plain text, HTML and Word in turn."""
    import docx

    from core.contracts.extraction import extract_text

    texts: list[str] = []
    for c in load_paths([SHARED / "cuad-dev"]).contracts:
        try:
            text = extract_text(c.data, c.media_type)[:3000]
        except Exception:  # a source that does not extract is simply not used
            continue
        # Word's XML takes no control characters (some extracted PDFs carry them).
        texts.append(re.sub("[^\t\n\x20-\ud7ff\ue000-\ufffd]", "", text))
        if len(texts) >= 60:
            break
    out: list[Contract] = []
    for i in range(count):
        text = texts[i % len(texts)]
        kind = i % 3
        if kind == 0:
            out.append(Contract(f"s{i:04d}.txt", text.encode(), "text/plain"))
        elif kind == 1:
            body = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p)
            html = f"<html><body>{body}</body></html>"
            out.append(Contract(f"s{i:04d}.html", html.encode(), "text/html"))
        else:
            document = docx.Document()
            for paragraph in text.split("\n"):
                document.add_paragraph(paragraph)
            buf = io.BytesIO()
            document.save(buf)
            media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            out.append(Contract(f"s{i:04d}.docx", buf.getvalue(), media))
    return out


def run_pool(pool: ProcessPoolExecutor, contracts: Sequence[Contract]) -> float:
    start = time.time()
    outcomes = list(pool.map(_analyse, contracts, chunksize=1))
    assert len(outcomes) == len(contracts)
    return time.time() - start


def run_engine(client: BatchClient, contracts: Sequence[Contract]) -> float:
    start = time.time()
    meta = client.launch(contracts)
    report = client.wait_report(meta.batch_id, timeout=3600)
    assert report is not None and report["total"] == len(contracts), report and report["counts"]
    # Every contract analysed as the pool analyses it: a fast failure (content not found, a crash) would
    # pass for throughput.
    unanalysed = {k: n for k, n in report["counts"].items() if k not in ("succeeded", "rejected") and n}
    assert not unanalysed, unanalysed
    return datetime.fromisoformat(report["finished_at"]).timestamp() - start


def all_inline() -> EngineSettings:
    """The engine's settings with no contract sent by reference (the client decides, per launch)."""
    return dataclasses.replace(EngineSettings.from_env(), content_inline_bytes=1 << 62)


def print_commandstats(r: redis.Redis, run: Callable[[], float], contracts: int) -> None:
    r.config_resetstat()
    run()
    stats = r.info("commandstats")
    rows = sorted(((k.removeprefix("cmdstat_"), v) for k, v in stats.items()), key=lambda kv: -kv[1]["usec"])
    total_us = sum(v["usec"] for _, v in rows)
    print(f"  {'command':<14} {'calls/contract':>14} {'us/contract':>12}")
    for name, v in rows[:14]:
        print(f"  {name:<14} {v['calls'] / contracts:14.2f} {v['usec'] / contracts:12.1f}")
    print(f"  all commands: {total_us / contracts:.0f} us of Redis time per contract")


def cpu_per_contract(pids: dict[str, int], run: Callable[[], float], contracts: int) -> float:
    """Run once; print the CPU time each process (a worker's pool processes apart) spent per contract."""
    import psutil

    def snapshot() -> dict[str, float]:
        out: dict[str, float] = {}
        for name, pid in pids.items():
            proc = psutil.Process(pid)
            t = proc.cpu_times()
            out[name] = t.user + t.system
            if name.startswith("worker"):
                out[name.replace("main", "pool")] = sum(
                    c.cpu_times().user + c.cpu_times().system for c in proc.children(recursive=True))
        return out

    before = snapshot()
    seconds = run()
    after = snapshot()
    print(f"  CPU per contract ({seconds:.2f} s for {contracts}, 2 cores):")
    for name in after:
        print(f"    {name:<16} {(after[name] - before.get(name, 0.0)) * 1000 / contracts:6.2f} ms")
    return seconds


def _kill(workers: Sequence[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait_for_workers(client: BatchClient, count: int) -> None:
    deadline = time.monotonic() + 90
    while len(client.workers(timeout=0.5)) < count:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--small", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="plain-Redis workers (each --concurrency)")
    # One engine per run: this process has one Celery app, and pointing it at another server between
    # rounds once hung in kombu's channel close (a BRPOP reply awaited that never came).
    parser.add_argument("--engine", choices=["local", "redis"], default="local")
    parser.add_argument("--inline", action="store_true",
                        help="also the same engine with every contract inline in its message (base64), as "
                             "before contracts larger than CONTRACT_BATCH_CONTENT_INLINE_BYTES went by "
                             "reference: '<engine>-inline', interleaved with the rest")
    parser.add_argument("--commandstats", action="store_true",
                        help="then one more run of each set on plain Redis: its commands per contract, and "
                             "the CPU time per contract of each process")
    args = parser.parse_args()
    ways = ["pool", args.engine]

    sets = {"real": real_contracts(args.copies), "small": small_contracts(args.small)}
    tmp = Path(tempfile.mkdtemp(prefix="cbm-throughput-"))
    cleanups: list[Callable[[], None]] = []
    runners: dict[str, Callable[[Sequence[Contract]], float]] = {}
    try:
        if "pool" in ways:
            pool = ProcessPoolExecutor(args.concurrency)
            cleanups.append(lambda: pool.shutdown(cancel_futures=True))
            runners["pool"] = lambda cs: run_pool(pool, cs)
        if "local" in ways:
            from core.local.mode import LocalMode

            mode = LocalMode(tmp / "local")
            started = mode.ensure_running(concurrency=args.concurrency)
            cleanups.append(lambda: mode.stop(started))
            local_client = BatchClient(mode.url)
            _wait_for_workers(local_client, 1)
            runners["local"] = lambda cs: run_engine(local_client, cs)
            if args.inline:
                local_inline = BatchClient(mode.url, all_inline())
                runners["local-inline"] = lambda cs: run_engine(local_inline, cs)
        if "redis" in ways:
            from core.local.server import RedisServer

            server = RedisServer(data_dir=tmp / "redis", appendonly=False).start()
            cleanups.append(server.stop)
            workers = [
                subprocess.Popen(
                    [sys.executable, "-m", "core.cli", "worker", "--broker", server.url,
                     "--concurrency", str(args.concurrency)],
                    cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                    stderr=(tmp / f"worker{n}.log").open("wb"), start_new_session=True)
                for n in range(args.workers)
            ]
            cleanups.append(lambda: _kill(workers))
            redis_client = BatchClient(server.url)
            _wait_for_workers(redis_client, args.workers)
            runners["redis"] = lambda cs: run_engine(redis_client, cs)
            if args.inline:
                redis_inline = BatchClient(server.url, all_inline())
                runners["redis-inline"] = lambda cs: run_engine(redis_inline, cs)

        print(f"load average {os.getloadavg()[0]:.2f}; {args.concurrency} processes per pool/worker; "
              f"{args.rounds} rounds, interleaved; seconds from launch to the last result")
        for set_name, contracts in sets.items():
            megabytes = sum(len(c.data) for c in contracts) / 1e6
            for run in runners.values():  # warm-up: imports, connections, pool processes
                run(contracts[: 4 * args.concurrency])
            times: dict[str, list[float]] = {name: [] for name in runners}
            for _ in range(args.rounds):
                for name, run in runners.items():
                    times[name].append(run(contracts))
            print(f"\n{set_name}: {len(contracts)} contracts, {megabytes:.1f} MB")
            base = statistics.median(times["pool"]) if "pool" in times else None
            for name, values in times.items():
                med = statistics.median(values)
                ratio = f"  throughput {base / med:.2f}x the pool" if base else ""
                print(f"  {name:<12} {med:7.2f} s  ({', '.join(f'{v:.2f}' for v in values)}){ratio}")
        if args.commandstats and "redis" in runners:
            for set_name, contracts in sets.items():
                print(f"\nRedis commands per contract, {set_name} (INFO commandstats over one run):")
                run = functools.partial(runners["redis"], contracts)
                assert server.process is not None
                pids = {"redis-server": server.process.pid, "this client": os.getpid()}
                pids.update({f"worker {n} main": w.pid for n, w in enumerate(workers)})
                print_commandstats(server.client(), functools.partial(cpu_per_contract, pids, run,
                                                                      len(contracts)), len(contracts))
        print(f"\nload average after {os.getloadavg()[0]:.2f}")
    finally:
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as exc:  # every other cleanup still runs
                print(f"cleanup: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
