"""kombu's Redis transport, with malformed messages set aside instead of stopping the worker.

kombu turns each popped item into a ``Message`` and Celery into a request without checking their shape;
any surprise raised inside the worker's event loop, which Celery treats as unrecoverable (see
``core.engine.message_guard``). Here every envelope is checked first; a malformed one is logged, recorded
in the ``quarantine`` list (``core.engine.ledger``) where ``contract-batch quarantine`` shows it, and
dropped. It had left the queue already (BRPOP) and was never registered as unacknowledged, so nothing
brings it back.

The app's connections use this transport through a scheme of their own (:func:`guarded_url`); the
URLs people type and see stay ``redis://``, ``rediss://`` and ``redis+socket://``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

from core.engine import ledger
from core.engine.message_guard import envelope_problem

log = logging.getLogger(__name__)

_SCHEMES = {"redis": "cbredis", "rediss": "cbrediss"}
TASK_QUEUES: frozenset[str] = frozenset({"contract_batch", "contract_batch.control"})


def guarded_url(url: str) -> str:
    """The same broker through this transport: ``redis://`` -> ``cbredis://`` (and ``+socket``, TLS)."""
    scheme, sep, rest = url.partition("://")
    prefix, plus, suffix = scheme.partition("+")
    if not sep or prefix not in _SCHEMES:
        return url
    return f"{_SCHEMES[prefix]}{plus}{suffix}{sep}{rest}"


def register() -> None:
    for alias in _SCHEMES.values():
        TRANSPORT_ALIASES.setdefault(alias, f"{__name__}:GuardedTransport")


class GuardedChannel(kombu_redis.Channel):
    def _brpop_read(self, **options: Any) -> bool:
        try:
            return bool(super()._brpop_read(**options))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # Raised while decoding the popped item, before kombu delivered it anywhere.
            raw = exc.doc if isinstance(exc, json.JSONDecodeError) else exc.object.decode("latin-1")
            self.set_aside(None, "the envelope is not JSON text", raw)
            return True

    def _connparams(self, asynchronous: bool = False) -> Any:
        # A channel outlives its connection when Redis drops it: Celery's consumer reconnects, but an ack
        # of a message delivered before, or the channel's own close (putting unacked messages back), still
        # builds a client from the released transport, whose client is None. kombu then raised
        # AttributeError, which neither it nor Celery expects: "Unrecoverable error", the whole worker
        # gone (seen in the soak with redis-py 8). As a connection error it is what both already handle:
        # the ack is logged as failed and the message stays in the unacked store, restored after the
        # visibility timeout as for a killed worker.
        if self.connection is None or self.connection.client is None:
            raise redis.exceptions.ConnectionError("the broker connection of this channel was closed")
        return super()._connparams(asynchronous=asynchronous)

    def set_aside(self, queue: str | None, reason: str, raw: str) -> None:
        log.warning("set aside a malformed message from queue %s: %s (%d bytes; see "
                    "'contract-batch quarantine')", queue or "?", reason, len(raw))
        try:
            ledger.quarantine(self._create_client(), queue, reason, raw)
        except Exception as exc:  # Redis gone: the message is still dropped, the worker goes on
            log.error("could not record the malformed message: %s", type(exc).__name__)


class GuardedTransport(kombu_redis.Transport):
    Channel = GuardedChannel

    def _deliver(self, message: Any, queue: str) -> None:
        problem = envelope_problem(message, task_queue=queue in TASK_QUEUES)
        if problem is None:
            try:
                super()._deliver(message, queue)
                return
            except self.connection_errors + self.channel_errors:
                raise
            except Exception as exc:  # a shape the guard does not know yet: still not a reason to stop
                log.exception("a message from queue %s could not be handled", queue)
                problem = f"could not be handled: {type(exc).__name__}: {exc}"[:300]
                self._forget(message)
        channel = next((c for c in self.channels if isinstance(c, GuardedChannel)), None)
        raw = json.dumps(message, default=repr)
        if channel is not None:
            channel.set_aside(queue, problem, raw)

    def _forget(self, message: Any) -> None:
        """Acknowledge a message kombu had registered as unacknowledged, so it is not restored."""
        tag = message.get("properties", {}).get("delivery_tag") if isinstance(message, dict) else None
        for channel in self.channels:
            try:
                if tag in channel.qos._delivered:
                    channel.qos.ack(tag)
            except Exception:
                continue
