"""core.engine.category_codes: the state filter's rows, as the categories say, however the rows changed."""

from __future__ import annotations

import random

from core.engine.category_codes import REBUILD_AT, CategoryCodes
from core.engine.rows import CATEGORY_LABELS


def expected(
    wanted: frozenset[str], cats: list[str], first: int, last: int, order: list[int] | None
) -> list[int]:
    return [r for r in range(first, last + 1) if cats[r if order is None else order[r]] in wanted]


def test_rows_in_follow_changes_orders_and_new_batches() -> None:
    rng = random.Random(7)
    keys = list(CATEGORY_LABELS)
    cats = [rng.choice(keys) for _ in range(5_000)]
    codes = CategoryCodes()
    order: list[int] | None = None
    for _step in range(60):
        action = rng.random()
        if action < 0.4:  # a poll: a few rows, or more than REBUILD_AT
            changed = [rng.randrange(len(cats)) for _ in range(rng.choice([3, 40, REBUILD_AT + 1]))]
            for i in changed:
                cats[i] = rng.choice(keys)
            codes.changed(cats, changed)
        elif action < 0.6:  # a sort, or back to dispatch order
            order = rng.sample(range(len(cats)), len(cats)) if rng.random() < 0.7 else None
            codes.reorder()
        elif action < 0.7:  # a new batch: a new list
            cats = [rng.choice(keys) for _ in range(rng.randint(0, 3_000))]
            order = None
            codes.reorder()
        wanted = frozenset(rng.sample(keys, rng.randint(1, 3)))
        first = rng.randint(0, max(0, len(cats) - 1))
        last = rng.randint(first, len(cats)) - 1 if cats else -1
        assert codes.rows_in(wanted, cats, first, last, order) == expected(wanted, cats, first, last, order)


def test_no_rows_and_unknown_keys() -> None:
    codes = CategoryCodes()
    assert codes.rows_in(frozenset({"succeeded"}), [], 0, -1) == []
    assert codes.rows_in(frozenset({"no such state"}), ["queued", "queued"], 0, 1) == []
    assert codes.rows_in(frozenset({"queued"}), ["queued", "running", "queued"], 1, 2) == [2]
