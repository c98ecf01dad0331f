"""The Celery app across broker switches."""

from __future__ import annotations


def test_switching_brokers_back_and_forth_keeps_a_working_app(redis_server) -> None:
    from core.engine.app import app, configure_app

    urls = [f"redis://127.0.0.1:{redis_server.port}/{db}" for db in (14, 15)]
    for url in [*urls, *urls]:
        configure_app(url)
        # A broadcast needs a pooled connection: a closed pool from the previous use would raise here.
        assert app.control.ping(timeout=0.2) == []
        assert app.backend.client.connection_pool.connection_kwargs["db"] == int(url.rsplit("/", 1)[1])
