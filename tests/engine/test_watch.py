"""The batch watch (the desktop app's poller), driven without a QApplication."""

from __future__ import annotations

import random

from core.engine.rows import FAILED_OUTCOMES
from core.engine.task_states import READY_STATES
from core.engine.watch import BatchWatch


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
    watch = BatchWatch("b", ids=[f"b-{i}" for i in range(200)])
    watch.reset(["PENDING"] * 200, [None] * 200)
    for _ in range(2_000):
        watch.set(rng.randrange(200), *rng.choice(changes))
    progress = watch.progress("open")
    recount: dict[str, int] = {}
    for outcome in watch.outcomes:
        recount[outcome or "unfinished"] = recount.get(outcome or "unfinished", 0) + 1
    assert progress.counts == recount
    assert progress.done == sum(
        1 for s, o in zip(watch.states, watch.outcomes, strict=True) if o is not None or s in READY_STATES
    )
    assert progress.failures == sum(1 for o in watch.outcomes if o in FAILED_OUTCOMES)
    assert progress.total == 200
