"""The report step: idempotent on the batch id, whoever calls it and however often.

Callers race on purpose (chord body, errback, watchdog, redelivery); a lease claimed with ``SET NX PX``
lets exactly one of them write the report and run the hooks. A finalizer that dies mid-way leaves only an
expiring lease behind, and the watchdog finishes the job after it expires.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import redis

from core import faults, ledger
from core.engine_settings import EngineSettings
from core.outcome import Outcome
from core.report import build_report
from core.report_hooks import Hook, run_hooks
from core.task_states import read_snapshots

log = logging.getLogger(__name__)

# Hooks may send email; they get a longer lease than building the report does.
HOOK_LEASE_S = 600.0

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


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

    def finalize(self, batch_id: str, trigger: str, *, force: str | None = None) -> Verdict:
        """Record the batch's report if it is due. ``force`` ('deadline', 'idle') makes it due."""
        settings = self.settings or EngineSettings.from_env()
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
            if state == ledger.STATE_FINAL or r.exists(ledger.batch_key(batch_id, "report")):
                self._complete_hooks(batch_id, claim_key, token)
                return Verdict.ALREADY
            now = time.time()
            entries = ledger.read_entries(r, batch_id)
            ids = [e.task_id for e in entries if e.task_id is not None]
            snapshots = {s.task_id: s for s in read_snapshots(r, batch_id, ids)}
            unfinished = [t for t, s in snapshots.items() if not s.finished]
            fill, reason, finalized_by = Outcome.LOST, "", trigger
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
                if state == ledger.STATE_OPEN:
                    # Close the gate first so a task starting now does no work, then stop what still runs.
                    ledger.set_state(r, batch_id, ledger.STATE_CLOSING)
                self.revoke(unfinished)
            faults.maybe_inject("finalize", batch_id)
            report = build_report(
                meta,
                entries,
                snapshots,
                finalized_by=finalized_by,
                finished_ts=now,
                unfinished_outcome=fill,
                unfinished_reason=reason,
            )
            self._store(batch_id, report, settings)
            log.info("batch %s finalized by %s: %s", batch_id, finalized_by, report["counts"])
            self._complete_hooks(batch_id, claim_key, token)
            return Verdict.FINALIZED
        finally:
            r.eval(_RELEASE, 1, claim_key, token)

    def _store(self, batch_id: str, report: dict, settings: EngineSettings) -> None:
        ttl = int(settings.result_expires)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(ledger.batch_key(batch_id, "report"), json.dumps(report), ex=ttl)
        pipe.hset(ledger.batch_key(batch_id), "state", ledger.STATE_FINAL)
        for suffix in ("", "entries", "attempts", "runs"):
            pipe.expire(ledger.batch_key(batch_id, suffix), ttl)
        pipe.execute()

    def _complete_hooks(self, batch_id: str, claim_key: str, token: str) -> None:
        r = self.redis
        # The batch leaves the watchdog's open set only once its hooks ran, so a crash between storing
        # the report and running the hooks is finished by the next sweep.
        if r.exists(ledger.batch_key(batch_id, "hooks_done")):
            r.zrem(ledger.OPEN_KEY, batch_id)
            return
        report = ledger.read_report(r, batch_id)
        if report is None:
            return
        r.eval(_EXTEND, 1, claim_key, token, int(HOOK_LEASE_S * 1000))
        results = run_hooks(self.hooks, report)
        pipe = r.pipeline(transaction=True)
        pipe.set(ledger.batch_key(batch_id, "hooks"), json.dumps(results))
        pipe.set(ledger.batch_key(batch_id, "hooks_done"), "1")
        pipe.zrem(ledger.OPEN_KEY, batch_id)
        pipe.execute()
