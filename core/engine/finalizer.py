"""The report step: idempotent on the batch id, whoever calls it and however often.

Callers race on purpose (chord body, errback, watchdog, redelivery); a lease claimed with ``SET NX PX``
lets exactly one of them write the report and run the hooks. A finalizer that dies mid-way leaves only an
expiring lease behind, and the watchdog finishes the job after it expires.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis

from core.engine import faults, ledger, report_store
from core.engine.final_report import report_head, report_row
from core.engine.report_hooks import Hook, run_hook
from core.engine.settings import EngineSettings
from core.engine.task_states import READY_STATES, TaskSnapshot, read_snapshots, read_states
from core.outcome import ALL_OUTCOMES, Outcome

log = logging.getLogger(__name__)

# While hooks run (they may send email) a heartbeat keeps the lease; this is how long it lasts unrenewed.
HOOK_LEASE_S = 60.0

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# Publish the report only while still holding the lease and only once: a finalizer whose lease expired
# mid-way (a long GC pause, a slow Redis) must not write a second report over the first. The parts were
# staged under a key of this lease's own (KEYS[3]); renaming them in makes the whole report appear at once.
_STORE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then redis.call('del', KEYS[3]) return 0 end
if redis.call('exists', KEYS[2], KEYS[7]) > 0 then redis.call('del', KEYS[3]) return -1 end
if redis.call('exists', KEYS[3]) == 1 then redis.call('rename', KEYS[3], KEYS[4]) end
redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('set', KEYS[5], ARGV[6], 'EX', ARGV[3])
redis.call('hset', KEYS[6], 'state', 'final')
-- Contracts sent by reference: no task of a final batch runs (the start gate refuses it).
redis.call('del', KEYS[8])
for i = 4, #KEYS do redis.call('expire', KEYS[i], ARGV[3]) end
redis.call('zremrangebyscore', ARGV[4], '-inf', ARGV[5])
return 1
"""


class LeaseKeeper:
    """Renews a lease from a background thread while long work (report hooks) runs under it."""

    def __init__(self, r: redis.Redis, key: str, token: str, lease_s: float) -> None:
        self.redis, self.key, self.token, self.lease_ms = r, key, token, int(lease_s * 1000)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        if not self.renew():
            self.lost.set()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def renew(self) -> bool:
        return bool(self.redis.eval(_EXTEND, 1, self.key, self.token, self.lease_ms))

    def _run(self) -> None:
        while not self._stop.wait(self.lease_ms / 3000):
            try:
                if not self.renew():
                    self.lost.set()
                    return
            except redis.RedisError:
                log.warning("could not renew the finalizer lease %s", self.key)


class Verdict(StrEnum):
    FINALIZED = "finalized"
    PENDING = "pending"  # tasks still running and nothing forces the report yet
    BUSY = "busy"  # someone else holds the lease
    ALREADY = "already"  # the report exists (hooks completed if they had not)
    UNKNOWN = "unknown"  # no such batch


@dataclass
class Finalizer:
    redis: redis.Redis
    revoke: Callable[[list[str]], None]
    hooks: Sequence[Hook] = ()
    settings: EngineSettings | None = None

    def __post_init__(self) -> None:
        if self.settings is None:
            self.settings = EngineSettings.from_env()

    def finalize(self, batch_id: str, trigger: str, *, force: str | None = None) -> Verdict:
        """Record the batch's report if it is due. ``force`` ('deadline', 'idle') makes it due."""
        settings = self.settings
        assert settings is not None
        r = self.redis
        claim_key = ledger.batch_key(batch_id, "claim")
        token = uuid.uuid4().hex
        if not r.set(claim_key, token, nx=True, px=int(settings.finalize_lease * 1000)):
            return Verdict.BUSY
        try:
            found = ledger.read_meta(r, batch_id)
            if found is None:
                return Verdict.UNKNOWN
            meta, state = found
            if state == ledger.STATE_FINAL or report_store.report_exists(r, batch_id):
                self._complete_hooks(batch_id, claim_key, token)
                return Verdict.ALREADY
            now = time.time()
            entries = ledger.read_entries(r, batch_id)
            ids = [e.task_id for e in entries if e.task_id is not None]
            # The states alone say what is unfinished (a status prefix each); the results are read a part
            # at a time while the report is written, so a 100,000-contract batch is never parsed whole.
            unfinished = [t for t, st in zip(ids, read_states(r, ids), strict=True) if st not in READY_STATES]
            fill, reason, finalized_by = Outcome.LOST, "", trigger
            held: dict[str, TaskSnapshot] = {}
            if unfinished:
                if state == ledger.STATE_CANCELLED:
                    fill, reason, finalized_by = Outcome.REVOKED, "cancelled before it finished", "cancel"
                elif meta.deadline_at is not None and now >= meta.deadline_at:
                    reason, finalized_by = "no outcome by the batch's deadline", "deadline"
                elif force is not None or state == ledger.STATE_CLOSING:
                    kind = force or "idle"
                    reason, finalized_by = f"no outcome ({kind} timeout)", kind
                else:
                    return Verdict.PENDING
                # What the unfinished were doing when the batch was closed: the report says that, not
                # the REVOKED that stopping them is about to write.
                held = {s.task_id: s for s in read_snapshots(r, batch_id, unfinished)}
                if fill is Outcome.LOST:
                    # Close the gate first so a task starting now does no work, then stop what still runs.
                    ledger.transition(r, batch_id, [ledger.STATE_OPEN], ledger.STATE_CLOSING)
                self.revoke(unfinished)
            faults.maybe_inject("finalize", batch_id)
            with LeaseKeeper(r, claim_key, token, settings.finalize_lease) as lease:
                stored = self._store(meta, entries, held, (fill, reason, finalized_by, now), claim_key, token,
                                     lease)
            if stored is None:
                log.warning("batch %s: lease lost while building the report; its holder goes on", batch_id)
                return Verdict.BUSY
            if stored == -1:
                self._complete_hooks(batch_id, claim_key, token)
                return Verdict.ALREADY
            log.info("batch %s finalized by %s: %s", batch_id, finalized_by, stored)
            self._complete_hooks(batch_id, claim_key, token)
            return Verdict.FINALIZED
        finally:
            r.eval(_RELEASE, 1, claim_key, token)

    def _store(
        self,
        meta: ledger.BatchMeta,
        entries: Sequence[ledger.Entry],
        held: dict[str, TaskSnapshot],
        how: tuple[Outcome, str, str, float],
        claim_key: str,
        token: str,
        lease: LeaseKeeper,
    ) -> dict[str, int] | int | None:
        """Build the report a part at a time and publish it: its counts; -1: a report was already there;
        None: the lease is no longer ours."""
        fill, reason, finalized_by, now = how
        settings = self.settings
        assert settings is not None
        r, batch_id, ttl = self.redis, meta.batch_id, int(settings.result_expires)
        staging = report_store.staging_key(batch_id, token)
        writer = report_store.PartWriter(r, staging, ttl)
        counts = dict.fromkeys(ALL_OUTCOMES, 0)
        rows: list[dict[str, Any]] = []
        for chunk in ledger.chunks(entries, report_store.PART):
            if lease.lost.is_set():
                r.delete(staging)
                return None
            ids = [e.task_id for e in chunk if e.task_id is not None and e.task_id not in held]
            fresh = {s.task_id: s for s in read_snapshots(r, batch_id, ids)}
            part = [report_row(e, None if e.task_id is None else held.get(e.task_id) or fresh[e.task_id],
                               fill, reason) for e in chunk]
            writer.add(part)
            for row in part:
                counts[row["outcome"]] += 1
                rows.append(report_store.row_view(row))
        writer.close()
        head = report_head(meta, counts, len(entries), finalized_by=finalized_by, finished_ts=now)
        keys = [claim_key, ledger.batch_key(batch_id, report_store.HEAD), staging,
                ledger.batch_key(batch_id, report_store.PARTS), ledger.batch_key(batch_id, report_store.ROWS),
                ledger.batch_key(batch_id), ledger.batch_key(batch_id, report_store.OLD),
                ledger.batch_key(batch_id, "content")]
        keys += [ledger.batch_key(batch_id, s) for s in ("entries", "attempts", "runs", "revoked")]
        # History older than the retention period leaves the batch list as its ledgers expire.
        stored = int(r.eval(_STORE, len(keys), *keys, token, json.dumps(head), ttl,
                            ledger.ALL_KEY, repr(time.time() - ttl), json.dumps(rows)))
        return counts if stored == 1 else None if stored == 0 else -1

    def _complete_hooks(self, batch_id: str, claim_key: str, token: str) -> None:
        r = self.redis
        # The batch leaves the watchdog's open set only once its hooks ran, so a crash between storing
        # the report and running the hooks is finished by the next sweep.
        if r.exists(ledger.batch_key(batch_id, "hooks_done")):
            r.zrem(ledger.OPEN_KEY, batch_id)
            return
        # Without hooks nothing needs the whole report: at 100,000 contracts reading it back was most of
        # the worker's 1.4 GB.
        report = report_store.read_report(r, batch_id) if self.hooks else None
        if self.hooks and report is None:
            return
        runs_key = ledger.batch_key(batch_id, "hook_runs")
        assert self.settings is not None
        ttl = int(self.settings.result_expires)
        with LeaseKeeper(r, claim_key, token, HOOK_LEASE_S) as lease:
            for spec, hook in self.hooks:
                if lease.lost.is_set():
                    return  # someone else holds the batch now and will finish the hooks
                # Each hook's result is recorded as it ends, so a crash re-runs only the hook it stopped.
                if r.hexists(runs_key, spec):
                    continue
                assert report is not None
                r.hset(runs_key, spec, json.dumps(run_hook(spec, hook, report)))
            if lease.lost.is_set():
                return
            recorded = r.hgetall(runs_key)
            results = [json.loads(recorded[spec.encode()]) for spec, _ in self.hooks
                       if spec.encode() in recorded]
            pipe = r.pipeline(transaction=True)
            pipe.set(ledger.batch_key(batch_id, "hooks"), json.dumps(results), ex=ttl)
            pipe.set(ledger.batch_key(batch_id, "hooks_done"), "1", ex=ttl)
            pipe.expire(runs_key, ttl)
            pipe.zrem(ledger.OPEN_KEY, batch_id)
            pipe.execute()
