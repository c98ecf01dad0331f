"""One batch of 100,000 contracts end to end, through the CLI as a person runs it, on a plain redis-server.

Each contract's analysis is skipped but its result is real (``benchmarks.grid_refresh:processor``: the
analysis of a sample contract, about 2.5 KB of JSON), so the report has the size real results give while
the run takes minutes, not the hours 100,000 real analyses take on 2 cores. Measures, for each command: wall
time and the peak memory of its process (``wait4``); and Redis's peak memory and the report's size.

    python benchmarks/scale.py [--contracts 100000] [--workers 1] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from core.engine import ledger, report_store  # noqa: E402
from core.local.server import RedisServer  # noqa: E402


def write_csvs(folder: Path, contracts: int, per_file: int = 50_000) -> list[Path]:
    paths = []
    for start in range(0, contracts, per_file):
        path = folder / f"contracts-{start // per_file:02d}.csv"
        with path.open("w", encoding="utf-8") as fh:
            fh.write("title,counterparty,value,effective date\n")
            for i in range(start, min(contracts, start + per_file)):
                fh.write(f"Supply agreement {i},Acme {i % 977} Inc,{1000 + i},2026-01-{1 + i % 28:02d}\n")
        paths.append(path)
    return paths


def timed(argv: list[str], env: dict[str, str], label: str, out: Path | None = None) -> tuple[float, str]:
    """Run a command; print its wall time and peak resident memory (of that process alone)."""
    start = time.monotonic()
    stdout = out.open("wb") if out else subprocess.PIPE
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    text = "" if out else (proc.stdout.read().decode() if proc.stdout else "")
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    print(f"  {label:<34} {elapsed:8.1f} s   peak {usage.ru_maxrss / 1024:7.0f} MB   exit {code}", flush=True)
    if code not in (0, 3):
        print(err[-2000:], file=sys.stderr)
    return elapsed, text


def peak_mb(pid: int) -> float:
    """The process's own peak resident memory so far (Linux VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def print_peaks(workers: list[subprocess.Popen[bytes]], server_pid: int) -> None:
    """Peak memory of every worker process still alive (the finalizer runs in a pool process) and of
    the server, so "no process over 1 GB" covers them too."""
    for w in workers:
        children = psutil.Process(w.pid).children(recursive=True)
        pool = ", ".join(f"{peak_mb(c.pid):.0f}" for c in children)
        print(f"  worker {w.pid}: main peak {peak_mb(w.pid):.0f} MB; pool processes {pool} MB")
    print(f"  server peak resident {peak_mb(server_pid):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cbm-scale-"))
    server = RedisServer(data_dir=tmp / "redis", appendonly=False).start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CBM_BENCH_TASK_MS": "0",
           "CONTRACT_BATCH_BROKER": server.url,
           # This run's history and exports stay in its own folder, not the person's.
           "XDG_DATA_HOME": str(tmp / "data"), "XDG_STATE_HOME": str(tmp / "state"),
           "XDG_CACHE_HOME": str(tmp / "cache")}
    cli = [sys.executable, "-m", "core.cli"]
    workers = [
        subprocess.Popen([*cli, "worker", "--concurrency", str(args.concurrency),
                          "--processor", "benchmarks.grid_refresh:processor"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=(tmp / f"worker{n}.log").open("wb"), start_new_session=True)
        for n in range(args.workers)
    ]
    try:
        files = write_csvs(tmp, args.contracts)
        print(f"{args.contracts:,} contracts in {len(files)} CSV files; {args.workers} worker(s) x "
              f"{args.concurrency} processes; load average {os.getloadavg()[0]:.2f}")
        _, text = timed([*cli, "run", "--json", *map(str, files)], env, "run (load + launch)")
        batch_id = json.loads(text)["batch_id"]
        r = server.client()
        started = time.monotonic()
        while not report_store.report_exists(r, batch_id):
            time.sleep(1.0)
            if time.monotonic() - started > 4 * 3600:
                raise SystemExit("no report after four hours")
        print(f"  {'launch to report (polled)':<34} {time.monotonic() - started:8.1f} s (after the launch)")
        parts = ledger.batch_key(batch_id, report_store.PARTS)
        report_bytes = sum(len(r.lindex(parts, i) or b"") for i in range(r.llen(parts)))
        info = r.info("memory")
        print(f"  report: {report_bytes / 1e6:.1f} MB of JSON in {r.llen(parts)} parts; Redis peak "
              f"{info['used_memory_peak'] / 1e6:.0f} MB, now {info['used_memory'] / 1e6:.0f} MB")
        assert server.process is not None
        print_peaks(workers, server.process.pid)
        timed([*cli, "status", "--json", batch_id], env, "status --json", tmp / "status.json")
        timed([*cli, "status", batch_id], env, "status (table)", tmp / "status.txt")
        timed([*cli, "report", batch_id], env, "report (text)", tmp / "report.txt")
        timed([*cli, "report", "--json", batch_id], env, "report --json", tmp / "report.json")
        timed([*cli, "list", "--json"], env, "list --json", tmp / "list.json")
        timed([*cli, "export", batch_id, "--out", str(tmp / "export")], env, "export (PDF, CSV, charts)")
        sizes = {p.name: p.stat().st_size for p in (tmp / "export").iterdir()}
        print("  export files: " + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sorted(sizes.items())))
        print(f"load average after {os.getloadavg()[0]:.2f}")
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()
        server.stop()


if __name__ == "__main__":
    main()
