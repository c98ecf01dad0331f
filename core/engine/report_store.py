"""The final report in Redis: how it is stored so that a batch of 100,000 contracts stays readable.

One report used to be one JSON value (238 MB at 100,000 contracts with real results): every reader
parsed all of it, and the finalizer sent it as one script argument, which Redis copied several times.
It is now three things, written under the finalizer's lease and made visible in one atomic step:

- ``batch:<id>:report_head``   JSON: everything but the contracts (counts, times, label); its presence
                               says the batch has its report
- ``batch:<id>:report_rows``   JSON list: the contracts without their results (what ``status`` needs)
- ``batch:<id>:report_parts``  list of JSON arrays: the contracts with their results, ``PART`` per element,
                               in dispatch order (staged as ``report_parts:<lease token>`` and renamed)

The whole report's JSON (``read_report_json``) is the head with the parts' contracts appended: the same
document as before. A report stored by an earlier version as one value (``batch:<id>:report``) is still
read, and still counts as the batch's report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import redis

from core import json_yielding
from core.engine.ledger import batch_key

# Contracts per stored part: about 1.2 MB with real results, so one part is read in about as long as the
# desktop app may hold the interpreter between two rests, and memory is bounded by a part, not a batch.
PART = 500
# Bytes the finalizer pipelines per round trip while it stages the parts.
STAGE_BYTES = 8 << 20

HEAD, ROWS, PARTS, OLD = "report_head", "report_rows", "report_parts", "report"
REPORT_VIEWS = (HEAD, ROWS)
# Older versions' single value; also read in pieces by the desktop app.
REPORT_READ_CHUNK = 1 << 20


class ReportGone(LookupError):
    """The report expired (or was deleted) while it was being read in parts."""


def staging_key(batch_id: str, token: str) -> str:
    """Where a finalizer holding lease ``token`` builds the parts before they become the report's."""
    return batch_key(batch_id, f"{PARTS}:{token}")


def report_views(report: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The head and the rows stored beside the parts (see the keys above)."""
    head = {k: v for k, v in report.items() if k != "contracts"}
    return head, [row_view(row) for row in report.get("contracts") or []]


def row_view(contract: dict[str, Any]) -> dict[str, Any]:
    """One contract of ``report_rows``: everything but its result."""
    return {k: v for k, v in contract.items() if k != "result"}


class PartWriter:
    """Stages a report's parts under a staging key as they are built: one part serialized at a time, a
    few megabytes per round trip, so neither the finalizer nor Redis holds the report as one string."""

    def __init__(self, r: redis.Redis, key: str, ttl: int) -> None:
        self.key, self.ttl = key, ttl
        self._pipe = r.pipeline(transaction=False)
        self._pipe.delete(key)
        self._pending = 0

    def add(self, contracts: Sequence[dict[str, Any]]) -> None:
        """One part: at most ``PART`` contracts, in dispatch order after the previous part."""
        part = json.dumps(contracts)
        self._pipe.rpush(self.key, part)
        self._pending += len(part)
        if self._pending >= STAGE_BYTES:
            self._pipe.execute()
            self._pending = 0

    def close(self) -> None:
        self._pipe.expire(self.key, self.ttl)
        self._pipe.execute()


def stage_parts(r: redis.Redis, key: str, contracts: Sequence[dict[str, Any]], ttl: int) -> None:
    """All of ``contracts`` as parts under ``key``."""
    writer = PartWriter(r, key, ttl)
    for start in range(0, len(contracts), PART):
        writer.add(contracts[start : start + PART])
    writer.close()


def report_exists(r: redis.Redis, batch_id: str) -> bool:
    return bool(r.exists(batch_key(batch_id, HEAD), batch_key(batch_id, OLD)))


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _old_report_json(r: redis.Redis, batch_id: str, pacer: Callable[[], None] | None) -> bytes | None:
    key = batch_key(batch_id, OLD)
    if pacer is None:
        raw = r.get(key)
        return None if raw is None else _bytes(raw)
    size = int(r.strlen(key))
    if size == 0:
        return None
    parts = []
    for start in range(0, size, REPORT_READ_CHUNK):
        parts.append(_bytes(r.getrange(key, start, start + REPORT_READ_CHUNK - 1)))
        pacer()
    data = b"".join(parts)
    return data if len(data) == size else None


def _part_count(r: redis.Redis, batch_id: str) -> tuple[bytes | None, int, bool]:
    """The head, how many parts, and whether the report is stored the old way."""
    pipe = r.pipeline(transaction=False)
    pipe.get(batch_key(batch_id, HEAD))
    pipe.llen(batch_key(batch_id, PARTS))
    pipe.exists(batch_key(batch_id, OLD))
    head, count, old = pipe.execute()
    return (None if head is None else _bytes(head)), int(count), bool(old)


def _parts(r: redis.Redis, batch_id: str, count: int, pacer: Callable[[], None] | None) -> Iterator[bytes]:
    key = batch_key(batch_id, PARTS)
    for index in range(count):
        part = r.lindex(key, index)
        if part is None:
            raise ReportGone(f"the report of batch {batch_id} expired while it was read")
        yield _bytes(part)
        if pacer is not None:
            pacer()


def read_report_json(r: redis.Redis, batch_id: str, pacer: Callable[[], None] | None = None) -> bytes | None:
    """The whole report as JSON bytes (None while there is none, or if it expired while read).

    With a ``pacer`` (the desktop app) it rests between parts: one GET of 20 MB kept the client's reply
    parser busy for about 0.3 s.
    """
    head, count, old = _part_count(r, batch_id)
    if old:
        return _old_report_json(r, batch_id, pacer)
    if head is None:
        return None
    try:
        bodies = [part[1:-1] for part in _parts(r, batch_id, count, pacer) if len(part) > 2]
    except ReportGone:
        return None
    opening = b', "contracts": [' if len(head) > 2 else b'"contracts": ['
    return head[:-1] + opening + b", ".join(bodies) + b"]}"


def read_report(r: redis.Redis, batch_id: str) -> dict[str, Any] | None:
    raw = read_report_json(r, batch_id)
    return None if raw is None else json_yielding.loads(raw)


def read_report_head(r: redis.Redis, batch_id: str) -> dict[str, Any] | None:
    """The final report without its contracts (counts, times, label), or None while there is none."""
    raw = r.get(batch_key(batch_id, HEAD))
    if raw is not None:
        head: dict[str, Any] = json_yielding.loads(raw)
        return head
    report = read_report(r, batch_id)  # a report stored before the views existed
    return None if report is None else report_views(report)[0]


def read_report_views(r: redis.Redis, batch_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The head and the rows (contracts without results) in one round trip, or None while there is no
    report; a report stored before the views existed is parsed once for both."""
    pipe = r.pipeline(transaction=False)
    for view in REPORT_VIEWS:
        pipe.get(batch_key(batch_id, view))
    head, rows = pipe.execute()
    if head is not None and rows is not None:
        return json_yielding.loads(head), json_yielding.loads(rows)
    report = read_report(r, batch_id)
    return None if report is None else report_views(report)


def _old_report_split(r: redis.Redis, batch_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """A report stored the old way (one value), parsed once: its head and its contracts."""
    report = read_report(r, batch_id)
    if report is None:
        return None
    whole: list[dict[str, Any]] = report.pop("contracts", None) or []
    return report, whole


def _open(r: redis.Redis, batch_id: str) -> tuple[dict[str, Any], list[dict[str, Any]] | None, int] | None:
    """The report's head and how its contracts are read: every contract of a report stored the old way
    (parsed once), else None and how many parts there are. None while there is no report."""
    head_raw, count, old = _part_count(r, batch_id)
    if old:
        split = _old_report_split(r, batch_id)
        return None if split is None else (split[0], split[1], 0)
    if head_raw is None:
        return None
    return json.loads(head_raw), None, count


def read_report_parts(
    r: redis.Redis, batch_id: str, pacer: Callable[[], None] | None = None
) -> tuple[dict[str, Any], Iterator[bytes]] | None:
    """The head and the stored parts as they are (JSON arrays of at most ``PART`` contracts), read one at
    a time: what the desktop app's poller copies into its history and reconciles its rows with, holding
    no more than one part. None while there is no report. A report stored the old way is parsed once and
    handed out in parts. The iterator raises ``ReportGone`` if the report expires midway."""
    opened = _open(r, batch_id)
    if opened is None:
        return None
    head, whole, count = opened
    if whole is not None:
        return head, (json.dumps(whole[i : i + PART]).encode() for i in range(0, len(whole), PART))
    return head, _parts(r, batch_id, count, pacer)


def read_contract(r: redis.Redis, batch_id: str, index: int) -> dict[str, Any] | None:
    """One contract of the report, result included, by its position (dispatch order): one part read, not
    the report. None if there is no such contract (or no report)."""
    if index < 0:
        return None
    head_raw, _, old = _part_count(r, batch_id)
    if old:
        split = _old_report_split(r, batch_id)
        contracts = split[1] if split else []
        return contracts[index] if index < len(contracts) else None
    if head_raw is None:
        return None
    part = r.lindex(batch_key(batch_id, PARTS), index // PART)
    if part is None:
        return None
    rows = json.loads(part)
    found = rows[index % PART] if index % PART < len(rows) else None
    return found if isinstance(found, dict) else None


def read_report_stream(
    r: redis.Redis, batch_id: str, pacer: Callable[[], None] | None = None
) -> tuple[dict[str, Any], Callable[[], Iterator[dict[str, Any]]]] | None:
    """The head and a way to go through the contracts (with results) a part at a time, as often as the
    caller needs: what ``report`` and ``export`` use so a process never holds every result at once.
    With a ``pacer`` (the desktop app's jobs) each part is parsed paced (``json_yielding.parse``).

    The iterator raises ``ReportGone`` if the report expires midway or is not whole, never ends early."""
    opened = _open(r, batch_id)
    if opened is None:
        return None
    head, whole, count = opened
    if whole is not None:
        listed = whole
        return head, lambda: iter(listed)
    total = head.get("total")

    def contracts() -> Iterator[dict[str, Any]]:
        seen = 0
        for part in _parts(r, batch_id, count, pacer):
            rows = json_yielding.parse(part, pacer)
            seen += len(rows)
            yield from rows
        # The parts expire together; a list shorter than the head says was cut, and an export of it
        # would look whole.
        if isinstance(total, int) and seen != total:
            raise ReportGone(f"the report of batch {batch_id} is incomplete in Redis ({seen:,} of {total:,} "
                             "contracts)")

    return head, contracts
