"""What a message must look like before kombu and Celery touch it.

Celery's worker trusts the shape of what it pops from Redis: one JSON message for ``contract_batch.process``
whose body was a string instead of ``[args, kwargs, embed]`` (or a 2- or 4-element list, a body that is
not base64, a non-numeric ``timelimit``, an envelope that is not JSON at all) raised inside the worker's
consumer, the worker exited with "Unrecoverable error", the message went back to the head of the queue,
and every worker started afterwards died the same way. :func:`envelope_problem` names what is wrong with
an envelope, or returns None for one that kombu's ``Message`` and Celery's request parsing accept; the
transport (``core.engine.guarded_transport``) sets the others aside. Pure functions: fuzzed in the tests.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

_OPTIONAL_TEXT_HEADERS = ("shadow", "eta", "expires", "group", "root_id", "parent_id", "argsrepr",
                          "kwargsrepr", "origin", "lang")
_EMBED_LISTS = ("callbacks", "errbacks", "chain")
# Celery parses these with dateutil's isoparse: an unparseable one was an InvalidTaskError (the message
# dropped), an empty one an AttributeError inside the request.
_TIME_HEADERS = ("eta", "expires")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_iso_time(value: str) -> bool:
    from dateutil.parser import isoparse

    try:
        isoparse(value)
    except (ValueError, OverflowError):
        return False
    return True


def _header_problem(headers: Mapping[str, Any]) -> str | None:
    """Protocol 2 task headers: the fields Celery reads, with the types it assumes."""
    if not isinstance(headers.get("task"), str):
        return "the task name is not text"
    if not isinstance(headers.get("id"), str) or not headers["id"]:
        return "the task id is missing or not text"
    for name in _OPTIONAL_TEXT_HEADERS:
        if headers.get(name) is not None and not isinstance(headers[name], str):
            return f"header {name!r} is not text"
    for name in _TIME_HEADERS:
        if headers.get(name) is not None and not _is_iso_time(headers[name]):
            return f"header {name!r} is not an ISO 8601 time"
    limits = headers.get("timelimit", (None, None))
    if (not isinstance(limits, list | tuple) or len(limits) != 2
            or not all(v is None or (_is_number(v) and v >= 0) for v in limits)):
        return "header 'timelimit' is not two numbers (or nulls)"
    retries = headers.get("retries", 0)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        return "header 'retries' is not a count"
    if headers.get("group_index") is not None and not isinstance(headers["group_index"], int):
        return "header 'group_index' is not a number"
    if not isinstance(headers.get("stamped_headers", []) or [], list):
        return "header 'stamped_headers' is not a list"
    if not isinstance(headers.get("stamps", {}) or {}, dict):
        return "header 'stamps' is not a mapping"
    return None


def _body_problem(body: Any) -> str | None:
    """Protocol 2 body: ``[args, kwargs, embed]``."""
    if not isinstance(body, list) or len(body) != 3:
        return "the body is not [args, kwargs, embed]"
    args, kwargs, embed = body
    if not isinstance(args, list) or not isinstance(kwargs, dict) or not isinstance(embed, dict):
        return "the body is not [list, mapping, mapping]"
    for name in _EMBED_LISTS:
        if embed.get(name) is not None and not isinstance(embed[name], list):
            return f"embed {name!r} is not a list"
    if embed.get("chord") is not None and not isinstance(embed["chord"], dict):
        return "embed 'chord' is not a mapping"
    return None


def decode_body(envelope: Mapping[str, Any]) -> bytes:
    """The body's bytes as kombu will decode them (raises ValueError when it cannot)."""
    body: str = envelope["body"]
    encoding = envelope["properties"].get("body_encoding")
    if encoding == "base64":
        try:
            return base64.b64decode(body.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError(f"the body is not base64 ({exc})") from None
    if encoding not in (None, ""):
        raise ValueError(f"unknown body encoding {encoding!r}")
    return body.encode("utf-8", "surrogatepass")


TASK_PREFIX = "contract_batch."


def envelope_problem(envelope: Any, task_queue: bool = True) -> str | None:
    """Why this decoded envelope must not reach kombu and Celery, or None when it may.

    ``task_queue``: it was popped from one of the engine's task queues, where only protocol-2 messages of
    the engine's own tasks belong (elsewhere: control replies, events, kombu's own checks suffice).
    """
    if not isinstance(envelope, dict):
        return "the envelope is not a JSON object"
    if not isinstance(envelope.get("body"), str):
        return "the envelope has no text body"
    properties = envelope.get("properties")
    if not isinstance(properties, dict):
        return "the envelope has no properties"
    if not isinstance(properties.get("delivery_info"), dict):
        return "the envelope has no delivery info"
    if not isinstance(properties.get("delivery_tag"), str) or not properties["delivery_tag"]:
        return "the envelope has no delivery tag"
    for name in ("priority", "delivery_mode"):
        if properties.get(name) is not None and not isinstance(properties[name], int):
            return f"property {name!r} is not a number"
    for name in ("content-type", "content-encoding"):
        if envelope.get(name) is not None and not isinstance(envelope[name], str):
            return f"{name!r} is not text"
    if not isinstance(properties.get("body_encoding", ""), str | None):
        return "the body encoding is not text"
    headers = envelope.get("headers")
    if headers is not None and not isinstance(headers, dict):
        return "the headers are not a mapping"
    try:
        raw = decode_body(envelope)
    except ValueError as exc:
        return str(exc)
    if not task_queue:
        return None
    if not headers or "task" not in headers:
        return "not a Celery task message (protocol 2)"
    problem = _header_problem(headers)
    if problem:
        return problem
    if not headers["task"].startswith(TASK_PREFIX):
        return f"task {headers['task'][:80]!r} is not one of Contract Batch Manager's"
    if envelope.get("content-type") != "application/json":
        return f"content type {envelope.get('content-type')!r} is not accepted (JSON only)"
    try:
        body = json.loads(raw.decode(envelope.get("content-encoding") or "utf-8"))
    except (ValueError, LookupError) as exc:
        return f"the body is not JSON ({type(exc).__name__})"
    return _body_problem(body)
