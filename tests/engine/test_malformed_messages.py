"""A corpus of malformed messages pushed straight into the task queue of one real worker: each is set
aside (logged, recorded in the quarantine list) and the worker goes on serving batches."""

from __future__ import annotations

import base64
import json
import os
import uuid
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.engine import ledger
from core.engine.message_guard import envelope_problem
from tests.engine.conftest import Engine, wait_for
from tests.engine.test_cli import cli


def envelope(body: Any = None, *, raw_body: str | None = None, headers: Any = "default",
             **changes: Any) -> dict[str, Any]:
    """A protocol-2 message for contract_batch.process as Celery writes it, with parts replaced."""
    task_id = str(uuid.uuid4())
    body = [["nobatch", {"name": "x.txt"}], {}, {"callbacks": None, "errbacks": None, "chain": None,
                                                "chord": None}] if body is None else body
    message: dict[str, Any] = {
        "body": raw_body if raw_body is not None else base64.b64encode(json.dumps(body).encode()).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {"lang": "py", "task": "contract_batch.process", "id": task_id, "root_id": task_id,
                    "parent_id": None, "group": None, "timelimit": [None, None], "retries": 0,
                    "argsrepr": "", "kwargsrepr": ""} if headers == "default" else headers,
        "properties": {"correlation_id": task_id, "reply_to": "", "delivery_mode": 2,
                       "delivery_info": {"exchange": "contract_batch", "routing_key": "contract_batch"},
                       "priority": 0, "body_encoding": "base64", "delivery_tag": str(uuid.uuid4())},
    }
    message.update(changes)
    return message


def with_header(**values: Any) -> dict[str, Any]:
    message = envelope()
    message["headers"].update(values)
    return message


# What the issue names, then the neighbours of each: (label, what is pushed into the list).
CORPUS: list[tuple[str, bytes]] = [
    ("body is a string", json.dumps(envelope("hello")).encode()),
    ("body of two", json.dumps(envelope([[], {}])).encode()),
    ("body of four", json.dumps(envelope([[], {}, {}, {}])).encode()),
    ("body []", json.dumps(envelope([])).encode()),
    ("body null", json.dumps(envelope(None, raw_body=base64.b64encode(b"null").decode())).encode()),
    ("body not base64", json.dumps(envelope(raw_body="!!! not base64 !!!")).encode()),
    ("body not JSON", json.dumps(envelope(raw_body=base64.b64encode(b"{oops").decode())).encode()),
    ("timelimit not numeric", json.dumps(with_header(timelimit=["abc", None])).encode()),
    ("timelimit a string", json.dumps(with_header(timelimit="30")).encode()),
    ("retries a string", json.dumps(with_header(retries="2")).encode()),
    ("task name a mapping", json.dumps(with_header(task={"a": 1})).encode()),
    ("task id a number", json.dumps(with_header(id=12)).encode()),
    ("eta a number", json.dumps(with_header(eta=5)).encode()),
    ("headers a string", json.dumps(envelope(headers="nope")).encode()),
    ("headers a list", json.dumps(envelope(headers=[1, 2])).encode()),
    ("no headers", json.dumps(envelope(headers=None)).encode()),
    ("someone else's task", json.dumps(with_header(task="os.system")).encode()),
    ("pickle content", json.dumps(envelope(**{"content-type": "application/x-python-serialize"})).encode()),
    ("embed callbacks a string", json.dumps(envelope([[], {}, {"callbacks": "x"}])).encode()),
    ("no properties", json.dumps({"body": "", "headers": {}}).encode()),
    ("delivery info missing", json.dumps(envelope(properties={"delivery_tag": "t"})).encode()),
    ("envelope []", b"[]"),
    ("envelope null", b"null"),
    ("envelope a number", b"42"),
    ("envelope a string", b'"hello"'),
    ("garbage bytes", b"\xff\xfe\x00garbage\x80"),
    ("truncated JSON", json.dumps(envelope())[:-7].encode()),
]


def test_every_malformed_message_is_set_aside_and_the_worker_goes_on(engine: Engine) -> None:
    worker = engine.start_worker(concurrency=1)
    client = redis.Redis.from_url(engine.broker)
    try:
        before = engine.launch("ok-before.txt")
        for _label, raw in CORPUS:
            client.lpush("contract_batch", raw)
        wait_for(lambda: client.llen("contract_batch") == 0, timeout=60, what="the worker to read the corpus")
        wait_for(lambda: len(ledger.quarantined(client, 1000)) >= len(CORPUS), timeout=60,
                 what="every malformed message to be set aside")
        assert worker.process.poll() is None, worker.output()[-3000:]
        assert "Unrecoverable error" not in worker.output()
        # The worker still serves: a batch sent after the corpus finishes, as does the one before it.
        after = engine.launch("ok-after.txt", "raise-after.txt")
        assert [c["outcome"] for c in engine.report(before.batch_id)["contracts"]] == ["succeeded"]
        outcomes = {c["name"]: c["outcome"] for c in engine.report(after.batch_id)["contracts"]}
        assert outcomes == {"ok-after.txt": "succeeded", "raise-after.txt": "failed"}
        records = ledger.quarantined(client, 1000)
        assert len(records) == len(CORPUS)
        assert all(r["reason"] and r["queue"] in (None, "contract_batch") for r in records)
        assert not any("Traceback" in r["reason"] for r in records)
    finally:
        client.close()
    # A person can look at them.
    shown = cli("quarantine", "--broker", engine.broker, env=engine.env())
    assert shown.returncode == 0 and "the body is not [args, kwargs, embed]" in shown.stdout
    listed = json.loads(cli("quarantine", "--broker", engine.broker, "--json", env=engine.env()).stdout)
    assert len(listed) == len(CORPUS) and all("raw" in r for r in listed)


@pytest.mark.parametrize(("label", "raw"), CORPUS, ids=[label for label, _ in CORPUS])
def test_the_guard_names_what_is_wrong(label: str, raw: bytes) -> None:
    try:
        decoded = json.loads(raw.decode("utf-8"))
    except ValueError:
        return  # the transport refuses what is not JSON text before the guard sees it
    assert envelope_problem(decoded), label


def test_a_real_message_passes_the_guard() -> None:
    assert envelope_problem(envelope()) is None
    assert envelope_problem(envelope(), task_queue=False) is None


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=int(os.environ.get("CONTRACT_BATCH_FUZZ_EXAMPLES", "3000")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(["body", "headers", "properties", "content-type", "content-encoding", None]),
    header=st.sampled_from(["task", "id", "timelimit", "retries", "eta", "expires", "group", "root_id",
                            "argsrepr", "stamps", "stamped_headers", "group_index", None]),
    value=_json,
    body=_json,
)
# Found by the fuzz in CI: an empty ETA reached Celery's request and raised there.
@example(field="content-encoding", header="eta", value="", body=None)
@example(field=None, header="expires", value="soon", body=None)
def test_whatever_the_guard_accepts_kombu_and_celery_can_parse(
    field: str | None, header: str | None, value: Any, body: Any
) -> None:
    """Fuzz: the guard never raises, and an envelope it lets through builds kombu's Message and Celery's
    request (where the worker used to die) without an error."""
    message = envelope(body)
    if field is not None:
        message[field] = value
    if header is not None and isinstance(message.get("headers"), dict):
        message["headers"][header] = value
    if envelope_problem(message) is not None:
        return
    from celery.worker.request import Request
    from kombu import Connection

    import core.engine.tasks  # noqa: F401 - registers the tasks on the app
    from core.engine.app import app

    with Connection("memory://") as conn:
        kombu_message = conn.default_channel.Message(message, channel=conn.default_channel)
        request = Request(kombu_message, app=app, task=app.tasks[message["headers"]["task"]])
        assert request.id == message["headers"]["id"]
        assert isinstance(request.time_limits, list | tuple)
