"""The batch watch (the desktop app's poller), driven without a QApplication."""

from __future__ import annotations

import random

from core.engine.watch import BatchWatch
from core.outcome import ALL_OUTCOMES


def test_progress_counts_follow_every_change() -> None:
    """The poller keeps counts row by row; after any sequence of changes they equal a full recount."""
    rng = random.Random(5)
    changes = [
        ("PENDING", None),
        ("STARTED", None),
        ("SUCCESS", "succeeded"),
        ("SUCCESS", "rejected"),
        ("FAILURE", "failed"),
        ("FAILURE", "timed_out"),
        ("REVOKED", "revoked"),
        ("PENDING", "lost"),  # settled by the report without a Celery state
    ]
    watch = BatchWatch("b", ids=[f"b-{i}" for i in range(200)], load_rejected=3)
    watch.reset(["PENDING"] * 200, [None] * 200)
    for _ in range(2_000):
        watch.set(rng.randrange(200), *rng.choice(changes))
    counts = watch.progress("open").counts
    recount: dict[str, int] = {}
    for outcome in watch.outcomes:
        recount[outcome or "unfinished"] = recount.get(outcome or "unfinished", 0) + 1
    recount["rejected"] = recount.get("rejected", 0) + 3  # the load rejections: rejected, never sent
    assert counts.as_mapping() == {k: n for k, n in recount.items() if n}
    assert counts.total == 203
    assert counts.done == 203 - recount.get("unfinished", 0)
    assert counts.failed == recount.get("failed", 0)
    assert counts.needs_attention == sum(recount.get(o, 0) for o in ALL_OUTCOMES if o != "succeeded")
