"""Speed of the default processor on the CUAD corpus, on one core: per stage and contracts per second.

    python benchmarks/analyzer_speed.py [CORPUS_DIR ...] [--all] [--rounds N]

``--all`` measures both shared corpora (the 34 of cuad and the 150 of cuad-dev), one after the other.

Stages: text extraction (PDF/DOCX/HTML/text to str) and field extraction (str to the result fields).
The process is pinned to one CPU where the OS allows it, and stages are timed in CPU seconds of this
process (time.process_time), so other programs on a shared machine do not inflate them; wall time is
printed too. The first round (imports, caches) is reported apart from the following rounds' best and
median.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.contracts.loader import MEDIA_TYPES  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "contracts" / "cuad"


def _files(corpus: Path) -> list[tuple[str, bytes, str]]:
    truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
    paths = sorted(corpus / entry["file"] for entry in truth["contracts"])
    return [(path.name, path.read_bytes(), MEDIA_TYPES[path.suffix.lower()]) for path in paths]


def one_round(files: list[tuple[str, bytes, str]]) -> dict[str, float]:
    from core.contracts.analysis import analyze_text
    from core.contracts.extraction import extract_text

    extraction = fields = 0.0
    per_format: dict[str, float] = {}
    for name, data, media_type in files:
        started = time.process_time()
        text = extract_text(data, media_type)
        middle = time.process_time()
        analyze_text(text)
        ended = time.process_time()
        extraction += middle - started
        fields += ended - middle
        suffix = Path(name).suffix
        per_format[suffix] = per_format.get(suffix, 0.0) + (middle - started)
    return {"extraction": extraction, "fields": fields, "total": extraction + fields, **per_format}


def _report(name: str, count: int, first: dict[str, float], warm_rounds: list[dict[str, float]]) -> None:
    warm = min(warm_rounds, key=lambda r: r["total"])
    median = sorted(warm_rounds, key=lambda r: r["total"])[len(warm_rounds) // 2]
    print(f"corpus: {name} ({count} contracts)")
    print(f"{'round (CPU seconds)':<22}{'extraction s':>14}{'fields s':>10}{'total s':>9}{'contracts/s':>13}")
    rows = (("first (cold imports)", first), ("best warm round", warm), ("median warm round", median))
    for label, result in rows:
        print(
            f"{label:<22}{result['extraction']:>14.2f}{result['fields']:>10.2f}{result['total']:>9.2f}"
            f"{count / result['total']:>13.1f}"
        )
    by_format = ", ".join(f"{k} {v:.2f} s" for k, v in sorted(warm.items()) if k.startswith("."))
    print(f"text extraction by format (best warm): {by_format}")


def main(argv: list[str]) -> int:
    rounds = 3
    if "--rounds" in argv:
        rounds = int(argv[argv.index("--rounds") + 1])
    paths = [Path(a) for a in argv[1:] if not a.startswith("-") and not a.isdigit()]
    if "--all" in argv:
        paths = [DEFAULT_CORPUS, DEFAULT_CORPUS.parent / "cuad-dev"]
    corpora = paths or [DEFAULT_CORPUS]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for corpus in corpora:
        files = _files(corpus)
        started = time.perf_counter()
        first = one_round(files)
        cold_wall = time.perf_counter() - started
        warm_walls = []
        warm_rounds = []
        for _ in range(max(rounds - 1, 1)):
            started = time.perf_counter()
            warm_rounds.append(one_round(files))
            warm_walls.append(time.perf_counter() - started)
        _report(str(corpus), len(files), first, warm_rounds)
        median_wall = sorted(warm_walls)[len(warm_walls) // 2]
        print(
            f"wall time: first round {cold_wall:.2f} s, best warm round {min(warm_walls):.2f} s, "
            f"median warm round {median_wall:.2f} s\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
