"""core.memory.let_go: a great many objects freed one at a time, not in one C-level stretch."""

from __future__ import annotations

from typing import ClassVar

from core.memory import let_go


class Tracked:
    freed: ClassVar[list[int]] = []

    def __init__(self, n: int) -> None:
        self.n = n

    def __del__(self) -> None:
        Tracked.freed.append(self.n)


def test_let_go_frees_each_object_from_the_end_and_empties_the_list() -> None:
    Tracked.freed = []
    objects = [Tracked(n) for n in range(5)]
    kept = objects[1]  # still referenced elsewhere: only the list's reference goes
    let_go(objects)
    assert objects == []
    assert Tracked.freed == [4, 3, 2, 0]
    assert kept.n == 1
