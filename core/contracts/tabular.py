"""Files that hold many contracts, CSV (one per row) and JSON (an object, a list, or {"contracts": [...]}):
read as a stream, within a bounded memory, refused past a documented limit.

Each entry becomes a contract of the media type ``application/json`` (its own fields, re-encoded as UTF-8),
which the analyzer reads as structured data rather than as prose.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from core.contracts.contract import Contract, ContractRejected, LoadItem, LoadRejection

# A CSV export's contract text can exceed csv's 128 KiB default per field; the file size limit bounds it.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

ENTRY_MEDIA_TYPE = "application/json"
# Contracts one CSV or JSON file may hold: a million-row file is refused after reading this many (its
# memory bounded), instead of minutes of loading and gigabytes in the client and in Redis.
MAX_ENTRIES_ENV = "CONTRACT_BATCH_MAX_ENTRIES_PER_FILE"
DEFAULT_MAX_ENTRIES = 100_000


def max_entries() -> int:
    return max(1, int(os.environ.get(MAX_ENTRIES_ENV) or DEFAULT_MAX_ENTRIES))


def _too_many(name: str, source: str, what: str) -> list[LoadItem]:
    limit = max_entries()
    return [LoadRejection(name, f"more than {limit:,} {what} in one file (the limit, "
                                f"{MAX_ENTRIES_ENV}): split the file", source)]


def _decode(data: bytes) -> str:
    from core.contracts.extraction.plain_text import decode_text

    return decode_text(data)


def _entry_contract(name: str, entry: dict[str, Any], source: str) -> Contract:
    data = json.dumps(entry, ensure_ascii=False, default=str).encode("utf-8")
    return Contract(name=name, data=data, media_type="application/json", source=source)


_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def _json_list_entries(text: str) -> Iterator[Any]:
    """The entries of a top-level JSON list, decoded one at a time: a million of them are never all in
    memory at once. Raises ValueError (as ``json.loads`` would) on malformed text."""
    pos = len(text) - len(text.lstrip(_WHITESPACE)) + 1  # just past the "["
    first = True
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if first and pos < len(text) and text[pos] == "]":  # an empty list; "[1,]" is not JSON
            if text[pos + 1 :].strip(_WHITESPACE):
                raise ValueError("extra data after the list")
            return
        first = False
        entry, pos = _DECODER.raw_decode(text, pos)
        yield entry
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] == "]":
            if text[pos + 1 :].strip(_WHITESPACE):
                raise ValueError("extra data after the list")
            return
        else:
            raise ValueError(f"expected ',' or ']' at character {pos}")


def split_json(name: str, data: bytes, source: str) -> list[LoadItem]:
    """One contract object, a list of them, or {"contracts": [...]}: one Contract per entry."""
    try:
        text = _decode(data)
        if text.lstrip(_WHITESPACE).startswith("["):
            entries: Iterable[Any] = _json_list_entries(text)
        else:
            value = json.loads(text)
            if isinstance(value, dict) and isinstance(value.get("contracts"), list):
                entries = value["contracts"]
            elif isinstance(value, dict):
                # Re-encoded as UTF-8: the worker then never has to guess the file's encoding again.
                return [_entry_contract(name, value, source)]
            else:
                return [LoadRejection(name, "JSON is neither a contract object nor a list of them", source)]
        items: list[LoadItem] = []
        limit = max_entries()
        for index, entry in enumerate(entries, start=1):
            if index > limit:
                return _too_many(name, source, "contracts")
            entry_name = f"{name}#{index}"
            if isinstance(entry, dict) and entry:
                items.append(_entry_contract(entry_name, entry, source))
            else:
                items.append(LoadRejection(entry_name, "entry is not a contract object", source))
    except ContractRejected as exc:
        return [LoadRejection(name, exc.reason, source)]
    except RecursionError:
        return [LoadRejection(name, "corrupt JSON (nested too deeply)", source)]
    except ValueError as exc:
        return [LoadRejection(name, f"corrupt JSON ({exc})", source)]
    if not items:
        return [LoadRejection(name, "no contracts in file (empty JSON list)", source)]
    return items


def split_csv(name: str, data: bytes, source: str) -> list[LoadItem]:
    """One Contract per row; columns are matched by header name (see docs/analysis.md)."""
    from core.contracts.analysis.structured import canonical_key

    try:
        text = _decode(data)
    except ContractRejected as exc:
        return [LoadRejection(name, exc.reason, source)]
    # The delimiter is the one the header line uses most: csv.Sniffer guesses wrong when quoted contract
    # texts span several lines.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter if header_line.count(delimiter) else ",")
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [LoadRejection(name, "no header row", source)]
    header = [h.strip() for h in header]
    recognised = {h for h in header if canonical_key(h)}
    if not recognised:
        return [
            LoadRejection(name, "no recognised column names in the header (see docs/analysis.md)", source)
        ]
    items: list[LoadItem] = []
    row_number = 0
    limit = max_entries()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            items.append(LoadRejection(f"{name}#row-{row_number}", f"unreadable CSV row ({exc})", source))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(items) >= limit:  # one more row than allowed: refuse the file, having kept only `limit`
            return _too_many(name, source, "rows")
        row_number += 1
        entry_name = f"{name}#row-{row_number}"
        if len(row) != len(header):
            reason = f"row has {len(row)} fields, the header has {len(header)}"
            items.append(LoadRejection(entry_name, reason, source))
            continue
        entry = {key: value for key, value in zip(header, row, strict=True) if key}
        if not any(k in recognised and v.strip() for k, v in entry.items()):
            items.append(LoadRejection(entry_name, "row has no values in recognised columns", source))
            continue
        items.append(_entry_contract(entry_name, entry, source))
    if not items:
        return [LoadRejection(name, "no contracts in file (header only)", source)]
    return items
