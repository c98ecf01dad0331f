"""JSON for large values read or written beside a GUI thread: the same results as ``json.loads`` and
``json.dumps``, but other threads get the interpreter lock every few milliseconds.

The C decoder and encoder hold the lock for the whole value: 50-60 ms for a 10,000-contract report with
real analysis results (20 MB), during which the window cannot paint. Handing the decoder a Python
``object_hook`` gives the interpreter a point to switch threads at every JSON object, at no measured cost
(``benchmarks/grid_refresh.py``; docs/performance.md). Encoding has no such hook, so it goes through the
pure-Python ``iterencode``: slower, but interruptible.
"""

from __future__ import annotations

import json
from typing import Any


def _same(obj: dict[str, Any]) -> dict[str, Any]:
    # Deliberately a Python function: the C scanner calls it for every object, and each call is a
    # point where a waiting thread can take the lock.
    return obj


_DECODER = json.JSONDecoder(object_hook=_same)


def loads(raw: str | bytes | bytearray) -> Any:
    """``json.loads`` that lets other threads run while it parses."""
    text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    return _DECODER.decode(text)


def dumps(value: Any) -> str:
    """``json.dumps(value, default=str, ensure_ascii=False)`` that lets other threads run."""
    return "".join(json.JSONEncoder(default=str, ensure_ascii=False).iterencode(value))
