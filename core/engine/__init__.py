"""The engine: the Celery app and tasks, the ledger in Redis, the resilient chord (finalizer, watchdog),
the client API."""
