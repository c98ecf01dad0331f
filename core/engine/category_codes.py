"""Each row's category as one byte of a numpy array, for the grid's state filter.

Which of a batch's 100,000 rows are in the chosen categories is then one vectorised lookup: 2.1 ms of the
window's thread with two thirds of them shown (most of it making the shown rows' Python integers), where a
set membership test per row took 4.8 ms (the real grid on a quiet machine, median of 40 clicks). The
array is built when a filter first asks for it and kept in step with the rows after that: the grid model
owns one and tells it when rows change or move; a new list of categories (a new batch) builds it again.
Qt-free.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.engine.rows import CATEGORY_LABELS

CODES: dict[str, int] = {key: code for code, key in enumerate(CATEGORY_LABELS)}
# More changed rows than this (a poll that catches up) and the codes are built again when next asked for,
# which costs less than writing each.
REBUILD_AT = 4096


class CategoryCodes:
    def __init__(self) -> None:
        self._codes: npt.NDArray[np.int8] | None = None  # ledger index -> code; None: not built
        self._of: Sequence[str] | None = None  # the categories they were built from
        self._order: npt.NDArray[np.intp] | None = None  # display row -> ledger index, once asked for

    def reorder(self) -> None:
        """The display order changed (a sort)."""
        self._order = None

    def changed(self, categories: Sequence[str], indexes: Sequence[int]) -> None:
        """The rows at these ledger indexes were given new categories (``categories``: all, by index)."""
        if len(indexes) > REBUILD_AT:
            self._codes = None
        elif self._codes is not None and indexes:
            self._codes[list(indexes)] = [CODES[categories[i]] for i in indexes]

    def rows_in(
        self, wanted: frozenset[str], categories: Sequence[str], first: int, last: int,
        order: Sequence[int] | None = None,
    ) -> list[int]:
        """The display rows from ``first`` to ``last`` whose category is in ``wanted``, ascending;
        ``order``: display row -> ledger index (None: in dispatch order, a row is its ledger index)."""
        if self._codes is None or categories is not self._of:
            self._codes = np.fromiter(map(CODES.__getitem__, categories), np.int8, len(categories))
            self._of = categories
        chosen = np.zeros(len(CODES), dtype=bool)
        chosen[[CODES[k] for k in wanted if k in CODES]] = True
        if order is None:
            codes = self._codes[first : last + 1]
        else:
            if self._order is None:
                self._order = np.fromiter(order, np.intp, len(order))
            codes = self._codes[self._order[first : last + 1]]
        found: list[int] = (np.flatnonzero(chosen[codes]) + first).tolist()
        return found
