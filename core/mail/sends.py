"""The record of report emails sent, per batch: what makes "not sent twice by accident" work.

Where (decided with the engine): in Redis next to the report, ``contract_batch:batch:<batch_id>:sends``, a
list of JSON objects ``{"sent_at", "to", "subject", "message_id"}``, so every machine using the broker
sees it. A report exported from a file (``--report-file``) has no Redis: its record is the JSON file
``<data_dir>/sends/<batch_id>.json`` (a list of the same objects).

A short lock around "check, send, record" keeps two processes (two desktops, a hook and a user) from
both sending: ``SET ... NX EX`` in Redis, an ``O_EXCL`` lock file locally.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from core import config
from core.engine.ledger import batch_key
from core.mail.errors import SendInProgress

LOCK_TTL_S = 600  # longer than any send (connect + upload of a few MB) can take


@dataclass(frozen=True, slots=True)
class SendRecord:
    sent_at: str  # ISO 8601, UTC
    to: list[str]
    subject: str
    message_id: str

    @classmethod
    def now(cls, to: Sequence[str], subject: str, message_id: str) -> SendRecord:
        return cls(datetime.now(UTC).isoformat(timespec="seconds"), list(to), subject, message_id)

    @classmethod
    def from_json(cls, raw: Any) -> SendRecord | None:
        try:
            data = json.loads(raw) if isinstance(raw, str | bytes) else raw
            return cls(
                str(data["sent_at"]),
                [str(t) for t in data["to"]],
                str(data["subject"]),
                str(data.get("message_id", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None  # a damaged entry must not hide the others

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def describe(self) -> str:
        return f"{self.sent_at} to {', '.join(self.to)}"


class SendLog(Protocol):
    def records(self) -> list[SendRecord]: ...
    def append(self, record: SendRecord) -> None: ...
    def lock(self) -> Any: ...  # a context manager; raises SendInProgress when held elsewhere


def sends_key(batch_id: str) -> str:
    return batch_key(batch_id, "sends")  # the engine's key scheme: beside the report


class RedisSendLog:
    """``client`` is a redis-py client (``BatchClient.redis``); ``ttl_s`` should be the report's own
    lifetime (the engine's ``result_expires``) so the record never outlives, nor dies before, the report."""

    def __init__(self, client: Any, batch_id: str, ttl_s: float | None = None) -> None:
        self.client = client
        self.batch_id = batch_id
        self.key = sends_key(batch_id)
        self.ttl_s = ttl_s

    def records(self) -> list[SendRecord]:
        return [r for r in (SendRecord.from_json(x) for x in self.client.lrange(self.key, 0, -1)) if r]

    def append(self, record: SendRecord) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.rpush(self.key, record.to_json())
        if self.ttl_s:
            pipe.expire(self.key, int(self.ttl_s))
        pipe.execute()

    @contextmanager
    def lock(self) -> Iterator[None]:
        key = batch_key(self.batch_id, "send_lock")
        token = f"{os.getpid()}-{time.time_ns()}"
        if not self.client.set(key, token, nx=True, ex=LOCK_TTL_S):
            raise SendInProgress(
                f"the report of batch {self.batch_id} is being sent by another process right now"
            )
        try:
            yield
        finally:
            # Release only our own lock (it may have expired and been taken by someone else).
            current = self.client.get(key)
            if current is not None and (current.decode() if isinstance(current, bytes) else current) == token:
                self.client.delete(key)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def local_log_id(batch_id: str, report_bytes: bytes = b"") -> str:
    """A file-name-safe id: the batch id, or a hash of the report file for reports that have none."""
    if batch_id:
        safe = _SAFE_NAME.sub("_", batch_id)[:100]
        return safe if safe.strip("._") else hashlib.sha256(batch_id.encode()).hexdigest()[:16]
    return "file-" + hashlib.sha256(report_bytes).hexdigest()[:16]


class FileSendLog:
    def __init__(self, log_id: str, directory: Path | None = None) -> None:
        self.directory = directory or config.data_dir() / "sends"
        self.path = self.directory / f"{log_id}.json"

    def records(self) -> list[SendRecord]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [r for r in (SendRecord.from_json(x) for x in data) if r] if isinstance(data, list) else []

    def append(self, record: SendRecord) -> None:
        config.private_dir(self.directory)
        entries = [asdict(r) for r in self.records()] + [asdict(record)]
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".sends-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entries, fh, indent=2, ensure_ascii=False)
        os.replace(tmp, self.path)

    @contextmanager
    def lock(self) -> Iterator[None]:
        config.private_dir(self.directory)
        lock_path = self.path.with_suffix(".lock")
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            # A lock older than any send can last was left by a crashed process: take it over.
            try:
                stale = time.time() - lock_path.stat().st_mtime > LOCK_TTL_S
            except OSError:
                stale = True
            if not stale:
                raise SendInProgress(
                    f"this report is being sent by another process right now ({lock_path})"
                ) from None
            lock_path.unlink(missing_ok=True)
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)


def send_log_for(batch_id: str, *, redis: Any | None = None, ttl_s: float | None = None,
                 report_bytes: bytes = b"") -> SendLog:
    """Where the sends of a report are recorded: beside the report in Redis when it came from a broker
    (every machine then sees them, and a resend is asked about everywhere), else in the user's data
    folder, keyed by the report file's batch id and content (``report_bytes``)."""
    if redis is not None:
        return RedisSendLog(redis, batch_id, ttl_s=ttl_s)
    return FileSendLog(local_log_id(batch_id, report_bytes))
