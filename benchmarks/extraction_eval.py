"""Score the default processor on the CUAD corpus (../shared/contracts/cuad) per field, against the
dataset's expert annotations, and print a table.

    python benchmarks/extraction_eval.py [CORPUS_DIR]

How each field is scored (documented in docs/analysis.md):
- dates: the ISO date equals the annotation's; scored on contracts whose annotation is a full date.
  Expiration is also reported within one day ("term of five years from January 1, 2000" ends on
  2004-12-31 or 2005-01-01 depending on the convention; both are readings a person accepts).
- governing law: the annotated jurisdiction's first place (e.g. "Victoria" of "Victoria, Australia")
  matches the extracted one, ignoring "State of"/"Province of" and common abbreviations (PRC).
- parties: names compared without case, punctuation and corporate suffixes (Inc., Ltd., S.A.).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.contract import Contract  # noqa: E402
from core.loader import MEDIA_TYPES  # noqa: E402
from core.processors import analyze  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "contracts" / "cuad"

# The targets, in percent.
TARGETS: dict[str, float] = {
    "governing_law": 95.0,
    "agreement_date": 90.0,
    "party_any": 95.0,
    "party_all": 70.0,
    "effective_date": 85.0,
    "expiration_date": 75.0,
}

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


def expected_parties(answer: str | None) -> list[str]:
    """Party names of a CUAD Parties answer: "X ("Alias"); Y ("Alias"); collectively "Parties"" -> [X, Y]."""
    if not answer:
        return []
    names = []
    for raw in answer.split(";"):
        # An answer that runs on into a sentence ("X ("Company"). Skype, ...") names X only.
        part = re.split(r"\)\s*\.\s+", raw.strip())[0]
        if part.startswith("(") and part.count("(") > part.count(")"):
            part = part[1:]
        head = part.split("(", 1)[0]
        if re.search(r"[\"“](?:party|parties)\b", part, re.IGNORECASE) and re.search(r",|\band\b", head):
            continue  # "Skype, Online BVI and the Company ("Party" ...)": the collective definition
        # Drop defined aliases ("Skype") but keep a parenthesis that is part of the name ("(BVI)").
        part = re.sub(r"\(\s*(?:the\s+|hereinafter\s+)?[\"“'][^()]*(?:\)|$)", " ", part)
        part = re.sub(
            r"\([^()]*\b(?:Part(?:y|ies)|collectively)\b[^()]*\)|\(\s*[A-Z]{2,10}\s*\)?\s*$", " ", part
        )
        # "X including its successors and permitted assigns", "X and all of its subsidiaries": X.
        part = re.split(r"\s+(?:including\s+(?:its|his|her)|and\s+all\s+of\s+its)\b", part)[0]
        part = re.sub(r"\s+", " ", part).strip(" ,.)")
        if not part or part == "[]" or re.search(r"\bPart(?:y|ies)\b|collectively|referred", part):
            continue
        names.append(part)
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


def evaluate(corpus: Path = DEFAULT_CORPUS) -> dict[str, FieldScore]:
    truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
    scores = {
        key: FieldScore()
        for key in (
            "governing_law", "agreement_date", "effective_date", "expiration_date",
            "expiration_date_exact", "party_any", "party_all",
        )
    }  # fmt: skip
    for entry in truth["contracts"]:
        path = corpus / entry["file"]
        contract = Contract(path.name, path.read_bytes(), MEDIA_TYPES[path.suffix.lower()])
        result: dict[str, Any] = analyze(contract)
        name = entry["file"]
        law = entry["governing_law"]["answer"]
        if law:
            scores["governing_law"].add(
                law_matches(result["governing_law"], law), name, f"{result['governing_law']!r} vs {law!r}"
            )
        for key in ("agreement_date", "effective_date"):
            iso = entry[key].get("iso")
            if iso:
                scores[key].add(result[key] == iso, name, f"{result[key]} vs {iso}")
        iso = entry["expiration_date"].get("iso")
        if iso:
            found = result["expiration_date"]
            scores["expiration_date"].add(_date_close(found, iso, 1), name, f"{found} vs {iso}")
            scores["expiration_date_exact"].add(found == iso, name, f"{found} vs {iso}")
        wanted = expected_parties(entry["parties"]["answer"])
        if wanted:
            got = result["parties"]
            matched = [w for w in wanted if any(names_match(g, w) for g in got)]
            scores["party_any"].add(bool(matched), name, f"{got} vs {wanted}")
            scores["party_all"].add(len(matched) == len(wanted), name, f"{got} vs {wanted}")
    return scores


def table(scores: dict[str, FieldScore]) -> str:
    lines = [f"{'field':<24}{'correct':>9}{'scored':>8}{'accuracy':>10}{'target':>8}", "-" * 59]
    for key, score in scores.items():
        target = TARGETS.get(key)
        target_text = f"{target:.0f}%" if target is not None else "-"
        lines.append(f"{key:<24}{score.correct:>9}{score.total:>8}{score.percent:>9.1f}%{target_text:>8}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    verbose = any(a in ("-v", "--verbose") for a in argv[1:])
    paths = [a for a in argv[1:] if not a.startswith("-")]
    corpus = Path(paths[0]) if paths else DEFAULT_CORPUS
    scores = evaluate(corpus)
    print(table(scores))
    if verbose:
        for key, score in scores.items():
            for miss in score.misses:
                print(f"  miss {key}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
