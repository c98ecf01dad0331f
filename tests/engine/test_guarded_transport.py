"""The guarded transport's channel when Redis drops the connection under the worker's consumer."""

from __future__ import annotations

import redis
from kombu import Connection

from core.engine.guarded_transport import guarded_url, register


def test_closing_a_channel_whose_connection_is_gone_keeps_the_worker_alive(redis_url: str) -> None:
    """Seen in the soak (redis-py 8, kombu 5.7): Redis restarted, Celery's consumer closed the dropped
    connection, and kombu's channel close tried to put the unacknowledged messages back through a new
    client built from a connection already released: AttributeError, which Celery calls an
    "Unrecoverable error", and the whole worker exited. The close now completes; the messages stay in
    Redis's unacked store, where any worker's visibility-timeout sweep restores them."""
    register()
    with Connection(guarded_url(redis_url)) as conn:
        queue = conn.SimpleQueue("guarded-close-test")
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}  # delivered, not acknowledged
        channel = conn.default_channel
        # The state Celery's consumer meets after the dropped connection: no pool, the transport released.
        channel._pool = None
        conn.transport.client = None
        channel.close()
        assert channel.closed
    r = redis.Redis.from_url(redis_url)
    assert r.hlen("unacked") == 1  # still there to be restored, not lost
    r.close()
