"""Score the default processor per field against CUAD's expert annotations, on both shared corpora.

    python benchmarks/extraction_eval.py [-v] [--misses PART] [--jobs N] [CORPUS_DIR ...]

Corpora (default: both): ``../shared/contracts/cuad`` (34 contracts) and ``../shared/contracts/cuad-dev``
(150). cuad-dev is split once, by a hash of the file name (``is_held_out``), into a tuning part (~70%) and
a held-out part (~30%) that no rule was tuned on: the held-out column is the estimate of how the analyzer
does on contracts it has never seen. ``--misses PART`` lists the misses of one part (cuad, dev-tune,
dev-held-out); ``-v`` lists those of the tuning parts only, so that tuning does not peek at the held-out
part by accident.

How each field is scored (documented in docs/analysis.md):
- dates: the extracted ISO date equals the annotation's, exactly; scored on contracts whose annotation is
  a full date. ``expiration_within_1d`` also accepts one day off ("five years from January 1, 2000" ends
  on 2004-12-31 or 2005-01-01 by convention); the target is on the exact day.
- governing law: the annotated jurisdiction's first place (e.g. "Victoria" of "Victoria, Australia")
  matches the extracted one, ignoring "State of"/"Province of" and common abbreviations (PRC).
- parties: each annotated party name compared with each extracted one without case, punctuation and
  corporate suffixes (Inc., Ltd., S.A.): equal, one containing the other's two or more significant words,
  or 85% similar. ``party_any``: at least one annotated party found; ``party_all``: every one.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.contracts.contract import Contract  # noqa: E402
from core.contracts.loader import MEDIA_TYPES  # noqa: E402
from core.engine.processors import analyze  # noqa: E402

SHARED = ROOT.parent / "shared" / "contracts"
DEFAULT_CORPORA = (SHARED / "cuad", SHARED / "cuad-dev")

# The targets, in percent, on contracts the analyzer was not tuned on.
TARGETS: dict[str, float] = {
    "governing_law": 95.0,
    "agreement_date": 90.0,
    "effective_date": 90.0,
    "expiration_date": 75.0,
    "party_any": 97.0,
    "party_all": 80.0,
}
FIELDS = (
    "governing_law", "agreement_date", "effective_date", "expiration_date", "expiration_within_1d",
    "party_any", "party_all",
)  # fmt: skip
PARTS = ("cuad", "dev-tune", "dev-held-out", "cuad-dev", "all")

# The held-out split, fixed before any tuning: 3 in 10 by SHA-256 of the file name (41 of the 150).
HELD_OUT_TENTHS = 3


def is_held_out(file_name: str) -> bool:
    return int(hashlib.sha256(file_name.encode("utf-8")).hexdigest(), 16) % 10 < HELD_OUT_TENTHS


def part_of(corpus: str, file_name: str) -> str:
    if corpus != "cuad-dev":
        return "cuad"
    return "dev-held-out" if is_held_out(file_name) else "dev-tune"


_SUFFIXES = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "lp", "llp",
    "plc", "sa", "na", "nv", "bv", "ag", "gmbh", "pty", "pte", "the", "and", "of",
}  # fmt: skip
_PLACE_PREFIX = re.compile(
    r"^(?:the\s+)?(?:state|commonwealth|province|republic|federal\s+republic|kingdom|laws?)\s+of\s+(?:the\s+)?"
)
_PLACE_ALIASES = {
    "prc": "people's republic of china", "china": "people's republic of china", "uk": "united kingdom",
    "usa": "united states", "us": "united states", "u.s.a.": "united states", "hksar": "hong kong",
}  # fmt: skip


def _norm_name(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
    kept = [w for w in words if w not in _SUFFIXES]
    return " ".join(kept or words)


def names_match(found: str, expected: str) -> bool:
    a, b = _norm_name(found), _norm_name(expected)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    if len(shorter.split()) >= 2 and re.search(rf"\b{re.escape(shorter)}\b", longer):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


# Reading CUAD's Parties answers: 'X ("Alias"); Y ("Alias"); X and Y (collectively the "Parties")'.
_CORPORATE = re.compile(
    r"\b(?:Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|L\.L\.C|LP|L\.P|LLP|PLC|S\.?A|"
    r"N\.?A|N\.?V|B\.?V|AG|GmbH|Pty|Pte|SE|AB|SRL)\b\.?",
    re.IGNORECASE,
)
_COLLECTIVE = re.compile(
    r"\b(?:collectively|individually|together|each|referred)\b|\bParties\b", re.IGNORECASE
)
_ALIAS_PAREN = re.compile(r"\(\s*(?:the\s+|hereinafter\s+)?[\"“'][^()]*(?:\)|$)")
_PARTY_PAREN = re.compile(r"\([^()]*\b(?:Part(?:y|ies)|collectively)\b[^()]*\)|\(\s*[A-Z]{2,10}\s*\)?\s*$")
_TAIL = re.compile(r"\s+(?:including\s+(?:its|his|her)|and\s+all\s+of\s+its)\b")
_HONORIFIC = re.compile(r"^(?:Mr|Ms|Mrs|Dr)\.?\s")


def _split_joint(name: str) -> list[str]:
    """'WYZZ, Inc. and WYZZ Licensee, Inc.' and 'Mr. A, Mr. B and Ms. C' are several parties in one answer."""
    pieces = re.split(r"\s+and\s+", name)
    if len(pieces) == 2 and all(re.search(rf"{_CORPORATE.pattern}\s*$", p.strip(" ,.")) for p in pieces):
        return [p.strip(" ,.") for p in pieces]
    people = re.split(r",\s*|\s+and\s+", name)
    if len(people) >= 2 and all(_HONORIFIC.match(p) for p in people):
        return people
    return [name]


def _entries(answer: str) -> Iterable[str]:
    for raw in re.split(r";|\n", answer):
        # An answer that runs on into a sentence ("X ("Company"). Skype, ...") names X only.
        part = re.split(r"\)\s*\.\s+", raw.strip())[0]
        if part.startswith("(") and part.count("(") > part.count(")"):
            part = part[1:]
        # 'X ("A"), Y ("B"), Z ("C")': one list written with commas.
        yield from re.split(r"(?<=[\"”]\))\s*,\s*(?=[A-Z])", part)


def expected_parties(answer: str | None) -> list[str]:
    """Party names of a CUAD Parties answer: "X ("Alias"); Y ("Alias"); collectively "Parties"" -> [X, Y].

    Left out: the collective definition ("X and Y (each a "Party")"), whose head names no company, and
    redacted names ("[*]", "[●]", "XXXX"), which no extraction can match."""
    if not answer:
        return []
    names: list[str] = []
    for entry in _entries(answer):
        head = re.split(r"[(\"“]", entry, maxsplit=1)[0]
        if not head.strip(" ,") or (
            _COLLECTIVE.search(entry) and re.search(r",|\band\b", head) and not _CORPORATE.search(head)
        ):
            continue
        # Drop defined aliases ("Skype") but keep a parenthesis that is part of the name ("(BVI)").
        part = _PARTY_PAREN.sub(" ", _ALIAS_PAREN.sub(" ", entry))
        part = _TAIL.split(part)[0]
        part = re.sub(r"\s+", " ", part).strip(" ,.)")
        if not part or re.fullmatch(r"\[[^\]]*\]?|X{4,}", part) or re.search(r"\bPart(?:y|ies)\b", part):
            continue
        for name in _split_joint(part):
            if not any(_norm_name(name) == _norm_name(n) for n in names):
                names.append(name)
    return names


def _norm_place(place: str) -> str:
    text = re.sub(r"\s+", " ", place.lower().strip(" .")).replace("’", "'")
    text = _PLACE_PREFIX.sub("", text)
    return _PLACE_ALIASES.get(text, text)


def law_matches(found: str | None, expected: str | None) -> bool:
    if not found or not expected:
        return False
    primary = _norm_place(re.split(r"[;,]", expected)[0])
    ours = _norm_place(found)
    return bool(primary) and (primary in ours or ours in primary or primary == ours)


@dataclass
class FieldScore:
    correct: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    def add(self, ok: bool, name: str, detail: str) -> None:
        self.total += 1
        if ok:
            self.correct += 1
        else:
            self.misses.append(f"{name}: {detail}")


def _date_close(found: str | None, expected: str, days: int) -> bool:
    if not found:
        return False
    return abs((date.fromisoformat(found) - date.fromisoformat(expected)).days) <= days


@dataclass(frozen=True)
class Analysed:
    part: str
    entry: dict[str, Any]
    result: dict[str, Any]


def _analyse(job: tuple[str, str]) -> dict[str, Any]:
    path = Path(job[1])
    return analyze(Contract(path.name, path.read_bytes(), MEDIA_TYPES[path.suffix.lower()]))


def analyse_corpora(corpora: Iterable[Path] = DEFAULT_CORPORA, jobs: int = 1) -> list[Analysed]:
    """Run the default processor on every annotated contract of each corpus (in ``jobs`` processes)."""
    work: list[tuple[str, dict[str, Any], Path]] = []
    for corpus in corpora:
        truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
        work += [(part_of(corpus.name, e["file"]), e, corpus / e["file"]) for e in truth["contracts"]]
    args = [(part, str(path)) for part, _, path in work]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_analyse, args, chunksize=4))
    else:
        results = [_analyse(a) for a in args]
    return [Analysed(part, entry, result) for (part, entry, _), result in zip(work, results, strict=True)]


def score(analysed: Iterable[Analysed]) -> dict[str, FieldScore]:
    scores = {key: FieldScore() for key in FIELDS}
    for item in analysed:
        entry, result, name = item.entry, item.result, item.entry["file"]
        law = entry["governing_law"]["answer"]
        if law:
            found_law = result["governing_law"]
            scores["governing_law"].add(law_matches(found_law, law), name, f"{found_law!r} vs {law!r}")
        for key in ("agreement_date", "effective_date"):
            iso = entry[key].get("iso")
            if iso:
                scores[key].add(result[key] == iso, name, f"{result[key]} vs {iso}")
        iso = entry["expiration_date"].get("iso")
        if iso:
            found = result["expiration_date"]
            scores["expiration_date"].add(found == iso, name, f"{found} vs {iso}")
            scores["expiration_within_1d"].add(_date_close(found, iso, 1), name, f"{found} vs {iso}")
        wanted = expected_parties(entry["parties"]["answer"])
        if wanted:
            got = result["parties"]
            matched = [w for w in wanted if any(names_match(g, w) for g in got)]
            scores["party_any"].add(bool(matched), name, f"{got} vs {wanted}")
            scores["party_all"].add(len(matched) == len(wanted), name, f"{got} vs {wanted}")
    return scores


def scores_by_part(analysed: list[Analysed]) -> dict[str, dict[str, FieldScore]]:
    members = {
        "cuad": ("cuad",),
        "dev-tune": ("dev-tune",),
        "dev-held-out": ("dev-held-out",),
        "cuad-dev": ("dev-tune", "dev-held-out"),
        "all": ("cuad", "dev-tune", "dev-held-out"),
    }
    return {part: score(a for a in analysed if a.part in members[part]) for part in PARTS}


def evaluate(corpus: Path) -> dict[str, FieldScore]:
    """Scores of one corpus folder (all its contracts, whatever their part)."""
    return score(analyse_corpora([corpus]))


def table(by_part: dict[str, dict[str, FieldScore]]) -> str:
    parts = [p for p in PARTS if any(s.total for s in by_part.get(p, {}).values())]
    width = 19
    header = f"{'field':<22}" + "".join(f"{p:>{width}}" for p in parts) + f"{'target':>8}"
    lines = [header, "-" * len(header)]
    for key in FIELDS:
        cells = []
        for part in parts:
            s = by_part[part][key]
            cells.append(f"{s.percent:5.1f}% ({s.correct:>3}/{s.total:<3})".rjust(width))
        target = TARGETS.get(key)
        lines.append(f"{key:<22}" + "".join(cells) + (f"{target:>7.0f}%" if target else f"{'-':>8}"))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = argv[1:]
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 1
    shown: list[str] = []
    if "--misses" in args:
        shown.append(args[args.index("--misses") + 1])
    if "-v" in args or "--verbose" in args:
        shown += ["cuad", "dev-tune"]
    skip = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--jobs", "--misses")}
    paths = [Path(a) for a in args if not a.startswith("-") and a not in skip]
    analysed = analyse_corpora(paths or DEFAULT_CORPORA, jobs)
    by_part = scores_by_part(analysed)
    print(table(by_part))
    for part in dict.fromkeys(shown):
        for key, field_score in by_part[part].items():
            for miss in field_score.misses:
                print(f"  {part} miss {key}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
