"""Getting a batch's final report: from the broker's Redis or from a saved JSON file.

Interim: the engine's ``core.client.BatchClient(broker_url).report(batch_id)`` will replace
``fetch_report``/``redis_client`` here; until it lands this module reads the key the engine writes,
``contract_batch:batch:<batch_id>:report`` (a JSON string), directly with redis-py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import redis

REPORT_KEY = "contract_batch:batch:{batch_id}:report"


class ReportNotFound(Exception):
    pass


def redis_client(broker_url: str) -> redis.Redis:
    return redis.Redis.from_url(broker_url, socket_connect_timeout=10, socket_timeout=30)


def fetch_report(client: redis.Redis, batch_id: str) -> dict[str, Any]:
    try:
        raw = client.get(REPORT_KEY.format(batch_id=batch_id))
    except redis.RedisError as exc:
        raise ReportNotFound(f"cannot read the report of batch {batch_id} from Redis: {exc}") from None
    if raw is None:
        raise ReportNotFound(
            f"batch {batch_id} has no final report (unknown batch, or it has not finished yet)"
        )
    return _parse(raw, f"the stored report of batch {batch_id}")


def load_report_file(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """The report and the file's bytes (used to name the local send record of id-less reports)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReportNotFound(f"cannot read report file {path}: {exc.strerror or exc}") from None
    return _parse(data, f"report file {path}"), data


def _parse(raw: bytes | str, what: str) -> dict[str, Any]:
    try:
        report = json.loads(raw)
    except ValueError as exc:
        raise ReportNotFound(f"{what} is not valid JSON ({exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("contracts", []), list):
        raise ReportNotFound(f"{what} is not a final report (a JSON object with a 'contracts' list)")
    return report
