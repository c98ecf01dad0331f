"""The batch ledger in Redis: every key the engine writes, in one place.

Keys (prefix ``contract_batch:``), all in the broker's Redis:

- ``batch:<id>``            hash: ``meta`` (JSON), ``state`` (open|cancelled|closing|final),
                            ``deadline_at`` (epoch or "")
- ``batch:<id>:entries``    JSON list of ``{name, task_id, error}``: the frozen ledger, in dispatch order
- ``batch:<id>:attempts``   hash task_id -> times a worker started it
- ``batch:<id>:runs``       hash task_id -> JSON ``{worker, started_at}`` of the last attempt
- ``batch:<id>:revoked``    set of task ids revoked through our client (checked when a task starts,
                            so a revoke sent while no worker runs is not lost)
- ``batch:<id>:content``    hash contract index -> bytes: contracts sent by reference (larger than
                            ``content_inline_bytes``); read by the start gate, deleted with the report
- ``batch:<id>:claim``      the finalizer's lease (SET NX PX)
- ``batch:<id>:report_head``, ``:report_rows``, ``:report_parts``: the final report, stored in parts
                            (``core.engine.report_store`` writes and reads them)
- ``batch:<id>:hooks``      JSON list of report-hook results; ``batch:<id>:hooks_done`` once they ran;
                            ``batch:<id>:hook_runs`` hash spec -> result, written as each hook ends
- ``batch:<id>:sends``      list of JSON send records (email)
- ``open``                  zset batch_id -> created_at: batches the watchdog sweeps
- ``batches``               zset batch_id -> created_at: every batch, for history
- ``activity``              epoch of the last header task start, any batch (idle detection)
- ``report_hooks``          JSON list of hook specs a worker was started with
- ``sweeper``               lock: which worker sweeps this period; ``sweep_seen``: when the last sweep ran
- ``quarantine``            list of JSON records of malformed messages set aside by the workers
                            (newest first, at most ``QUARANTINE_MAX``, kept ``QUARANTINE_TTL_S``)

Task results stay where Celery puts them (``celery-task-meta-<task_id>``), so Flower and
``AsyncResult`` keep working.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from core import json_yielding

PREFIX = "contract_batch:"
RESULT_KEY_PREFIX = "celery-task-meta-"
OPEN_KEY = PREFIX + "open"
ALL_KEY = PREFIX + "batches"
ACTIVITY_KEY = PREFIX + "activity"
SWEEPER_KEY = PREFIX + "sweeper"
SWEEP_SEEN_KEY = PREFIX + "sweep_seen"
QUARANTINE_KEY = PREFIX + "quarantine"
QUARANTINE_MAX = 1000
QUARANTINE_TTL_S = 7 * 24 * 3600
# What of a malformed message is kept for a person to look at: enough to recognise it, not a whole PDF.
QUARANTINE_RAW_CHARS = 16_384

STATE_OPEN = "open"
STATE_CANCELLED = "cancelled"
# Forced to finish (deadline, idle): new starts are refused while the report is being written.
STATE_CLOSING = "closing"
STATE_FINAL = "final"

# One round trip per thousand ids: big enough to amortise latency, small enough not to stall Redis.
CHUNK = 1000


def _text(value: bytes | str | object) -> str:
    """A value redis-py returned (bytes, as this client does not decode) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def batch_key(batch_id: str, suffix: str = "") -> str:
    return f"{PREFIX}batch:{batch_id}{':' + suffix if suffix else ''}"


def result_key(task_id: str) -> str:
    return RESULT_KEY_PREFIX + task_id


def result_keys(task_ids: Sequence[str]) -> list[str]:
    """``result_key`` of each id, built in C: a poll of a big batch reads 100,000 of them."""
    return list(map(RESULT_KEY_PREFIX.__add__, task_ids))


def task_id_for(batch_id: str, index: int) -> str:
    return f"{batch_id}-{index}"


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the ledger: a dispatched contract (task_id set) or a load rejection (error set)."""

    name: str
    task_id: str | None
    error: str | None = None
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "task_id": self.task_id, "error": self.error, "source": self.source}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Entry:
        return cls(d["name"], d.get("task_id"), d.get("error"), d.get("source") or "")


@dataclass(frozen=True, slots=True)
class BatchMeta:
    batch_id: str
    label: str
    created_at: str  # ISO 8601 UTC
    created_ts: float
    total: int
    dispatched: int
    soft_time_limit: float
    time_limit: float
    deadline_at: float | None
    idle_timeout: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "label": self.label,
            "created_at": self.created_at,
            "created_ts": self.created_ts,
            "total": self.total,
            "dispatched": self.dispatched,
            "soft_time_limit": self.soft_time_limit,
            "time_limit": self.time_limit,
            "deadline_at": self.deadline_at,
            "idle_timeout": self.idle_timeout,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BatchMeta:
        return cls(
            batch_id=d["batch_id"],
            label=d.get("label", ""),
            created_at=d["created_at"],
            created_ts=float(d["created_ts"]),
            total=int(d["total"]),
            dispatched=int(d["dispatched"]),
            soft_time_limit=float(d["soft_time_limit"]),
            time_limit=float(d["time_limit"]),
            deadline_at=None if d.get("deadline_at") is None else float(d["deadline_at"]),
            idle_timeout=float(d["idle_timeout"]),
            extra=dict(d.get("extra") or {}),
        )


def create_batch(r: redis.Redis, meta: BatchMeta, entries: Sequence[Entry]) -> None:
    """Write the frozen ledger before any task is sent, so nothing can finish unrecorded."""
    pipe = r.pipeline(transaction=True)
    pipe.hset(
        batch_key(meta.batch_id),
        mapping={
            "meta": json.dumps(meta.to_json()),
            "state": STATE_OPEN,
            "deadline_at": "" if meta.deadline_at is None else repr(meta.deadline_at),
        },
    )
    # No expiry while open: a batch whose workers are down for a week still gets its report. The
    # finalizer sets the TTL when it stores the report.
    pipe.set(batch_key(meta.batch_id, "entries"), json.dumps([e.to_json() for e in entries]))
    pipe.zadd(OPEN_KEY, {meta.batch_id: meta.created_ts})
    pipe.zadd(ALL_KEY, {meta.batch_id: meta.created_ts})
    pipe.execute()


def read_meta(r: redis.Redis, batch_id: str) -> tuple[BatchMeta, str] | None:
    raw_meta, state = r.hmget(batch_key(batch_id), "meta", "state")
    if raw_meta is None:
        return None
    return BatchMeta.from_json(json.loads(raw_meta)), _text(state or b"")


def read_entries(r: redis.Redis, batch_id: str, pacer: Callable[[], None] | None = None) -> list[Entry]:
    raw = r.get(batch_key(batch_id, "entries"))
    return [] if raw is None else [Entry.from_json(d) for d in json_yielding.loads(raw, pacer)]


def read_state(r: redis.Redis, batch_id: str) -> str | None:
    raw = r.hget(batch_key(batch_id), "state")
    return None if raw is None else _text(raw)


_TRANSITION = """
local current = redis.call('hget', KEYS[1], 'state')
if not current then return 0 end
for i = 2, #ARGV do if current == ARGV[i] then redis.call('hset', KEYS[1], 'state', ARGV[1]) return 1 end end
return 0
"""


def transition(r: redis.Redis, batch_id: str, allowed_from: Sequence[str], to: str) -> bool:
    """Move the batch to ``to`` only from one of ``allowed_from``, atomically (cancel vs. finalize)."""
    return bool(r.eval(_TRANSITION, 1, batch_key(batch_id), to, *allowed_from))


# Report hooks configured on some worker, for finalizers running on workers started without them.
REPORT_HOOKS_KEY = PREFIX + "report_hooks"


def publish_hook_specs(r: redis.Redis, specs: Sequence[str]) -> None:
    r.set(REPORT_HOOKS_KEY, json.dumps(list(specs)))


def published_hook_specs(r: redis.Redis) -> list[str]:
    raw = r.get(REPORT_HOOKS_KEY)
    return [] if raw is None else [str(s) for s in json.loads(raw)]


@dataclass(frozen=True, slots=True)
class AttemptGate:
    """What a header task learns about its batch when it starts."""

    state: str | None
    deadline_at: float | None
    attempt: int
    revoked: bool = False
    content: bytes | None = None  # the contract's bytes, when its message carries a reference


# Every header task runs this once when it starts: one atomic server-side call, not five commands.
# A task of a batch that does not exist (expired, or a forged message) writes nothing: no keys without an
# expiry, and no reset of the idle clock. It also records the task's STARTED state as Celery's
# ``track_started`` would (the same meta, never over a SUCCESS, as Celery's backend guards): that was three
# more round trips per contract (a read of the meta, then SETEX and PUBLISH).
_BEGIN_ATTEMPT = """
local gate = redis.call('hmget', KEYS[1], 'state', 'deadline_at')
if not gate[1] then return {false, false, 0, 0, false} end
local attempt = redis.call('hincrby', KEYS[2], ARGV[1], 1)
redis.call('hset', KEYS[3], ARGV[1], ARGV[2])
redis.call('set', KEYS[4], ARGV[3])
local current = redis.call('get', KEYS[6])
if not current or cjson.decode(current)['status'] ~= 'SUCCESS' then
  redis.call('set', KEYS[6], ARGV[4], 'EX', ARGV[5])
  redis.call('publish', KEYS[6], ARGV[4])
end
local content = false
if ARGV[6] ~= '' then content = redis.call('hget', KEYS[7], ARGV[6]) end
return {gate[1], gate[2], attempt, redis.call('sismember', KEYS[5], ARGV[1]), content}
"""
_scripts: dict[int, Any] = {}


def begin_attempt(
    r: redis.Redis, batch_id: str, task_id: str, worker: str, now: float, result_ttl: float = 86_400,
    content: str | None = None,
) -> AttemptGate:
    """Record a start (and the STARTED state) and read whether the batch still wants it, in one round
    trip. ``result_ttl``: the expiry of Celery's results (``result_expires``); ``content``: the reference
    of a contract sent by reference, whose bytes come back in the same reply."""
    script = _scripts.get(id(r))
    if script is None:
        script = _scripts[id(r)] = r.register_script(_BEGIN_ATTEMPT)
    keys = [batch_key(batch_id, s) for s in ("", "attempts", "runs")]
    keys += [ACTIVITY_KEY, batch_key(batch_id, "revoked"), result_key(task_id)]
    keys.append(batch_key(batch_id, "content"))
    run = json.dumps({"worker": worker, "started_at": now})
    started = json.dumps({"status": "STARTED", "result": {"pid": os.getpid(), "hostname": worker},
                          "traceback": None, "children": [], "date_done": None, "task_id": task_id})
    state, deadline, attempt, revoked, stored = script(
        keys=keys, args=[task_id, run, repr(now), started, max(1, int(result_ttl)), content or ""]
    )
    return AttemptGate(
        state=None if state is None else state.decode(),
        deadline_at=float(deadline) if deadline else None,
        attempt=int(attempt),
        revoked=bool(revoked),
        content=stored if isinstance(stored, bytes) else None,
    )


# Bytes of content per round trip while a launch stores contracts sent by reference.
CONTENT_STORE_BYTES = 8 << 20


def store_contents(r: redis.Redis, batch_id: str, contents: Sequence[tuple[str, bytes]]) -> None:
    """Store contracts sent by reference (``Contract.to_message(ref)``) before their tasks are sent. No
    expiry while the batch is open, like its ledger; the finalizer deletes them with the report."""
    key = batch_key(batch_id, "content")
    pipe = r.pipeline(transaction=False)
    pending = 0
    for ref, data in contents:
        pipe.hset(key, ref, data)
        pending += len(data)
        if pending >= CONTENT_STORE_BYTES:
            pipe.execute()
            pending = 0
    pipe.execute()


def add_revoked(r: redis.Redis, batch_id: str, task_ids: Sequence[str], ttl: float) -> None:
    if task_ids:
        pipe = r.pipeline(transaction=False)
        pipe.sadd(batch_key(batch_id, "revoked"), *task_ids)
        pipe.expire(batch_key(batch_id, "revoked"), int(ttl))
        pipe.execute()


def open_batches(r: redis.Redis) -> list[str]:
    return [_text(b) for b in r.zrange(OPEN_KEY, 0, -1)]


def recent_batches(r: redis.Redis, limit: int = 200) -> list[str]:
    return [_text(b) for b in r.zrevrange(ALL_KEY, 0, limit - 1)]


def read_hooks(r: redis.Redis, batch_id: str) -> list[dict[str, Any]] | None:
    raw = r.get(batch_key(batch_id, "hooks"))
    return None if raw is None else json.loads(raw)


def last_activity(r: redis.Redis) -> float | None:
    raw = r.get(ACTIVITY_KEY)
    return float(raw) if raw else None


def touch_activity(r: redis.Redis, now: float | None = None) -> None:
    r.set(ACTIVITY_KEY, repr(time.time() if now is None else now))


# -- malformed messages ----------------------------------------------------------------------------


def quarantine(client: redis.Redis, queue: str | None, reason: str, raw: str) -> None:
    record = {
        "at": time.time(), "queue": queue, "reason": reason, "size": len(raw),
        "raw": raw[:QUARANTINE_RAW_CHARS],
    }
    pipe = client.pipeline(transaction=False)
    pipe.lpush(QUARANTINE_KEY, json.dumps(record))
    pipe.ltrim(QUARANTINE_KEY, 0, QUARANTINE_MAX - 1)
    pipe.expire(QUARANTINE_KEY, QUARANTINE_TTL_S)
    pipe.execute()


def quarantined(client: redis.Redis, limit: int = 100) -> list[dict[str, Any]]:
    records = []
    for raw in client.lrange(QUARANTINE_KEY, 0, max(0, limit - 1)):
        try:
            records.append(json.loads(raw))
        except ValueError:
            continue
    return records
