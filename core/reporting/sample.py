"""Synthetic final reports: for the benchmark, the tests and a desktop "preview the report" demo.

Deterministic for a given seed, shaped like ``docs/report-format.md`` with the analysis fields of the
built-in processor, and deliberately untidy (missing fields, long names, several failure reasons).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

_COMPANY = "Northwind Traders Ltd."
_COUNTERPARTIES = [
    "Acme Corporation", "Globex Inc.", "Initech LLC", "Umbrella plc", "Stark Industries",
    "Wayne Enterprises", "Tyrell Corporation", "Cyberdyne Systems", "Soylent Corp", "Hooli",
    "Vandelay Industries", "Wonka Industries", "Massive Dynamic", "Oscorp", "Pied Piper",
    "Aperture Science Laboratories and Partners International", "Kellerman Brüder GmbH",
]  # fmt: skip
_LAWS = ["New York", "Delaware", "California", "England and Wales", "Texas", "Ontario", "Germany"]
# The analyser's own flags (``core.contracts.analysis.risk``), so samples look like real reports.
_FLAGS = ["auto_renews", "short_notice_period", "no_governing_law", "parties_unclear",
          "expiration_estimated"]  # fmt: skip
_TYPES = ["Supply Agreement", "Service Agreement", "License Agreement", "NDA", "Distribution Agreement"]
_REJECTIONS = ["scanned PDF with no text layer; OCR not supported", "unsupported file type (.xyz)",
               "empty document", "not a contract: no parties found"]  # fmt: skip
_FAILURES = ["ValueError: something broke", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x9c",
             "worker process died 3 times (exit code 137)"]  # fmt: skip


def synthetic_report(
    n: int,
    *,
    seed: int = 1,
    failure_rate: float = 0.08,
    today: date | None = None,
    label: str = "Synthetic batch",
) -> dict[str, Any]:
    rng = random.Random(seed)
    base = today or datetime.now(UTC).date()
    created = datetime.combine(base, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    batch_id = f"{rng.getrandbits(48):012x}"
    contracts: list[dict[str, Any]] = []
    for i in range(n):
        name = f"contract-{i:05d}.pdf"
        roll = rng.random()
        entry: dict[str, Any] = {
            "name": name,
            "task_id": f"{batch_id}-{i}",
            "attempts": 1,
            "runtime_s": round(rng.lognormvariate(-0.7, 0.6), 3),
            "worker": f"celery@worker{i % 4}",
            "result": None,
            "error": None,
        }
        if roll < failure_rate * 0.5:
            entry.update(outcome="rejected", error=rng.choice(_REJECTIONS))
        elif roll < failure_rate * 0.85:
            entry.update(outcome="failed", error=rng.choice(_FAILURES), attempts=rng.choice([1, 1, 3]))
        elif roll < failure_rate:
            entry.update(outcome="timed_out", error=f"time limit ({rng.uniform(30, 31):.1f} s) exceeded")
        else:
            entry.update(outcome="succeeded", result=_analysis(rng, base, i))
        contracts.append(entry)
    counts = dict.fromkeys(("succeeded", "rejected", "failed", "timed_out", "revoked", "lost"), 0)
    for c in contracts:
        counts[c["outcome"]] += 1
    return {
        "batch_id": batch_id,
        "label": label,
        "created_at": created.isoformat(),
        "finished_at": (created + timedelta(seconds=5 + n * 0.05)).isoformat(),
        "finalized_by": "errback" if counts["succeeded"] < n else "callback",
        "total": n,
        "counts": counts,
        "contracts": contracts,
    }


def _analysis(rng: random.Random, base: date, i: int) -> dict[str, Any]:
    counterparty = rng.choice(_COUNTERPARTIES)
    effective = base - timedelta(days=rng.randint(30, 1500))
    expires = base + timedelta(days=rng.randint(-120, 1000)) if rng.random() < 0.85 else None
    has_value = rng.random() < 0.8
    return {
        "title": f"{rng.choice(_TYPES)} between {_COMPANY} and {counterparty}",
        "contract_type": rng.choice(_TYPES),
        "parties": [_COMPANY, counterparty] if i % 7 else [counterparty, _COMPANY],
        "agreement_date": effective.isoformat(),
        "effective_date": effective.isoformat(),
        "expiration_date": expires.isoformat() if expires else None,
        "term": f"{rng.choice([1, 2, 3, 5])} years",
        "auto_renewal": rng.random() < 0.4,
        "renewal_term": "1 year",
        "notice_period_days": rng.choice([30, 60, 90, None]),
        "governing_law": rng.choice(_LAWS) if rng.random() < 0.9 else None,
        "value": {"amount": round(rng.uniform(1_000, 2_000_000), 2), "currency": "USD"}
        if has_value
        else None,
        "risk_flags": sorted(set(rng.sample(_FLAGS, rng.randint(0, 2)))
                             | ({"expired"} if expires and expires < base else set())
                             | ({"no_end_date"} if expires is None else set())
                             | ({"expires_within_90_days"} if expires and 0 <= (expires - base).days <= 90
                                else set())),
        "evidence": {
            "governing_law": "This Agreement shall be governed by the laws of the State of New York."
        },
    }
