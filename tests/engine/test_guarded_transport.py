"""The guarded transport's channels when Redis drops the connection under the worker's consumer."""

from __future__ import annotations

import logging

import pytest
import redis
from kombu import Connection

from core.engine.guarded_transport import guarded_url, register


@pytest.mark.parametrize("step", ["ack", "close"])
def test_a_channel_whose_connection_is_gone_fails_as_a_connection_error(redis_url: str, step: str) -> None:
    """Seen in the soak (redis-py 8, kombu 5.7): Redis restarted, Celery's consumer reconnected, and then
    the ack of a message delivered before (or the old channel's close, putting unacked messages back)
    built a client from the released transport: AttributeError, which Celery calls an "Unrecoverable
    error", and the whole worker exited. It is now a connection error, which kombu and Celery handle:
    the worker goes on, and the message stays in Redis's unacked store for the visibility-timeout sweep."""
    register()
    conn = Connection(guarded_url(redis_url))
    queue = conn.SimpleQueue("guarded-close-test")
    queue.put({"n": 1})
    message = queue.get(timeout=5)
    assert message.payload == {"n": 1}  # delivered, not acknowledged
    channel = conn.default_channel
    # The state after the dropped connection: the channel's pool gone, its transport released.
    channel._pool = None
    transport = conn.transport
    transport.client = None
    if step == "ack":
        # What Celery's request does when its task ends; raised AttributeError before.
        message.ack_log_error(logging.getLogger(__name__), conn.connection_errors + conn.channel_errors)
        assert not message.acknowledged
        # Then the consumer closes the old channel, as in the other case: left open, its unacked message
        # would be put back by kombu's finalizer at interpreter exit, through the released transport,
        # printing that connection error's traceback after the test run.
        conn.maybe_close_channel(channel)
    else:
        conn.maybe_close_channel(channel)  # what Celery's consumer does; raised AttributeError before
        assert channel.closed
    r = redis.Redis.from_url(redis_url)
    assert r.hlen("unacked") == 1  # still there to be restored, not lost
    r.close()
