"""The one Celery app of Contract Batch Manager and its configuration (the tasks register themselves on it
in ``core.engine.tasks``; what a worker loads is ``core.engine.worker_app``).

JSON only, late acks with retry on worker loss, one message prefetched per process, events on (Flower),
started state tracked, Celery's default result-key layout and control channel kept so that
``app.control.revoke`` and Flower work unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery
from celery.app import backends
from celery.backends.redis import RedisBackend
from kombu import pools
from kombu.entity import Exchange, Queue

from core.engine.guarded_transport import guarded_url, register
from core.engine.settings import EngineSettings

register()

TASK_QUEUE = "contract_batch"
# Finalization gets its own queue: kombu's Redis transport polls queues round-robin, so a report is
# not stuck behind thousands of queued contracts of another batch.
CONTROL_QUEUE = "contract_batch.control"



class BulkReadRedisBackend(RedisBackend):
    """Celery's Redis result backend, same keys, minus pub/sub subscriptions while a batch is dispatched.

    A batch is read in bulk from its frozen ids, never through ``AsyncResult.get``, so subscribing to
    every header task (Celery does it twice: on send and when the chord builds its GroupResult) would be
    pure overhead: 1,000 SUBSCRIBEs for 1,000 contracts. Outside ``dispatching()`` it behaves as usual.
    """

    _mode = threading.local()

    @contextmanager
    def dispatching(self) -> Iterator[None]:
        self._mode.quiet = True
        try:
            yield
        finally:
            self._mode.quiet = False

    def _quiet(self) -> bool:
        return bool(getattr(self._mode, "quiet", False))

    def on_task_call(self, producer: object, task_id: str) -> None:
        if not self._quiet():
            super().on_task_call(producer, task_id)

    def add_pending_result(self, result: Any, weak: bool = False, start_drainer: bool = True) -> Any:
        if self._quiet():
            return result
        return super().add_pending_result(result, weak=weak, start_drainer=start_drainer)


class ContractBatchCelery(Celery):
    def _get_backend(self) -> RedisBackend:
        _, url = backends.by_url(self.conf.result_backend, self.loader)
        return BulkReadRedisBackend(app=self, url=url)

    def _connection(self, url: str, *args: Any, **kwargs: Any) -> Any:
        # Every broker connection (consumers, producers, their pools' clones) sets malformed messages
        # aside instead of dying on them: core.engine.guarded_transport.
        return super()._connection(guarded_url(url), *args, **kwargs)


app = ContractBatchCelery("contract_batch")


def configure_app(broker_url: str, settings: EngineSettings | None = None) -> Celery:
    """Point the app at a Redis server; safe to call again before first use in a process."""
    s = settings or EngineSettings.from_env()
    previous = app.conf.get("broker_url")
    if previous and previous != broker_url:
        _forget_connections()
    transport_options = {
        "visibility_timeout": int(s.visibility_timeout),
        "unacked_restore_interval": max(1, int(s.restore_interval)),
        "unacked_restore_throttle": 1,
    }
    app.conf.update(
        broker_url=broker_url,
        # The same URL: Celery's backend table splits kombu's 'redis+socket://' on '+' itself.
        result_backend=broker_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        event_serializer="json",
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        worker_send_task_events=True,
        task_send_sent_event=True,
        task_default_queue=TASK_QUEUE,
        task_routes={"contract_batch.finalize": {"queue": CONTROL_QUEUE}},
        broker_transport_options=transport_options,
        result_backend_transport_options=transport_options,
        result_expires=int(s.result_expires),
        result_extended=False,
        broker_connection_retry_on_startup=True,
        # A result that cannot be stored because Redis is restarting is stored when it is back (Celery's
        # own retry, with growing pauses), not turned into a failure of the contract: at most about ten
        # minutes (core.engine.outage.WORKER_PATIENCE_S), then the engine's deadline and watchdog take over.
        result_backend_always_retry=True,
        result_backend_base_sleep_between_retries_ms=100,
        result_backend_max_sleep_between_retries_ms=5000,
        result_backend_max_retries=130,
        # Sending a batch rides out a Redis restart of up to about a minute (Celery's default gives up
        # after 0.6 s), so a launch caught by one is not left half sent.
        task_publish_retry_policy={"max_retries": 40, "interval_start": 0.1, "interval_step": 0.5,
                                   "interval_max": 2.0},
        broker_connection_timeout=5,
        redis_socket_connect_timeout=5,
        redis_backend_health_check_interval=30,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # Both queues, so that a worker started with Celery's own CLI consumes the report step too.
        task_queues=(
            Queue(TASK_QUEUE, Exchange(TASK_QUEUE), routing_key=TASK_QUEUE),
            Queue(CONTROL_QUEUE, Exchange(CONTROL_QUEUE), routing_key=CONTROL_QUEUE),
        ),
        worker_hijack_root_logger=True,
        enable_utc=True,
    )
    return app


def _forget_connections() -> None:
    """Drop cached pools and backends so the app talks to a new Redis (the desktop app can switch).

    kombu keeps connection pools in a process-wide registry keyed by URL: closing only ours would hand a
    closed pool back when the app switches to that URL again, so the registry is reset as a whole (this
    process has one Celery app).
    """
    pools.reset()
    app._pool = None
    if app.__dict__.get("amqp") is not None:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()
