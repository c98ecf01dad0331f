"""Turn paths (files and folders) into contracts, in the order a person sees them, rejecting what can't load.

Nothing is silently dropped: every file ends up either as a Contract or as a LoadRejection with a reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.contracts.contract import Contract, ContractRejected, LoadItem, LoadRejection

# A CSV export's contract text can exceed csv's 128 KiB default per field; the file size limit bounds it.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

DEFAULT_MAX_BYTES = int(float(os.environ.get("CONTRACT_BATCH_MAX_FILE_MB", "25")) * 1024 * 1024)
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

MEDIA_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".csv": "text/csv",
}


@dataclass(frozen=True, slots=True)
class LoadResult:
    items: tuple[LoadItem, ...]

    @property
    def contracts(self) -> tuple[Contract, ...]:
        return tuple(i for i in self.items if isinstance(i, Contract))

    @property
    def rejections(self) -> tuple[LoadRejection, ...]:
        return tuple(i for i in self.items if isinstance(i, LoadRejection))


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand folders recursively; each argument's files in sorted path order, hidden files skipped."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Everything but real folders: a FIFO, socket or device found in a folder becomes a rejected
            # row with its reason (load_file), never a silent gap in the report.
            found = [
                p
                for p in path.rglob("*")
                if not any(part.startswith(".") for part in p.relative_to(path).parts)
                and (p.is_symlink() or not p.is_dir())
            ]
            files.extend(sorted(found))
        else:
            files.append(path)
    return files


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[LoadItem]:
    name = path.name
    source = str(path)
    try:
        what = kind_problem(os.stat(path).st_mode)
    except FileNotFoundError:
        what = "file not found"  # also a link to nothing, and a mistyped folder
    except OSError as exc:
        what = f"unreadable: {exc.strerror or exc}"
    if what:
        return [LoadRejection(name, what, source)]
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        kind = path.suffix or "no extension"
        return [LoadRejection(name, f"unsupported file type ({kind})", source)]
    try:
        data = read_regular_file(path, max_bytes)
    except NotARegularFile as exc:
        return [LoadRejection(name, str(exc), source)]
    except FileNotFoundError:
        return [LoadRejection(name, "file not found", source)]
    except IsADirectoryError:
        return [LoadRejection(name, "is a directory", source)]
    except OSError as exc:
        return [LoadRejection(name, f"unreadable: {exc.strerror or exc}", source)]
    if not data.strip():
        return [LoadRejection(name, "empty file", source)]
    mismatch = content_mismatch(path.suffix.lower(), data)
    if mismatch:
        return [LoadRejection(name, mismatch, source)]
    if media_type == "application/json":
        return _split_json(name, data, source)
    if media_type == "text/csv":
        return _split_csv(name, data, source)
    return [Contract(name=name, data=data, media_type=media_type, source=source)]


class NotARegularFile(OSError):
    """A path that is not a plain file, or one larger than the limit: the message is the reason."""


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO), not a file"),
    (stat.S_ISSOCK, "a socket, not a file"),
    (stat.S_ISCHR, "a device, not a file"),
    (stat.S_ISBLK, "a device, not a file"),
    (stat.S_ISDIR, "is a directory"),
)


def kind_problem(mode: int) -> str | None:
    """Why a path of this mode is not loaded (a FIFO, socket, device or folder), or None for a file."""
    if stat.S_ISREG(mode):
        return None
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, read only if it is a regular file and no larger than ``max_bytes``.

    Opened without blocking (a FIFO would wait for a writer for ever) and checked on the open file (no
    race with a rename); the limit is enforced while reading, so a file that grows, or a link to
    ``/dev/zero``, stops at ``max_bytes``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        problem = kind_problem(info.st_mode)
        if problem:
            raise NotARegularFile(problem)
        if info.st_size > max_bytes:
            raise NotARegularFile(f"file too large ({info.st_size:,} bytes, limit {max_bytes:,})")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise NotARegularFile(f"file too large (more than {max_bytes:,} bytes, the limit)")
    finally:
        os.close(fd)


# Leading bytes of formats a contract file is often confused with: a PDF saved as .txt, a .doc renamed.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (e.g. DOCX)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"\x1f\x8b", "a gzip archive"),
)
_TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".csv"}


def _looks_like(data: bytes) -> str | None:
    for signature, label in _SIGNATURES:
        if data.startswith(signature):
            return label
    return None


def content_mismatch(suffix: str, data: bytes) -> str | None:
    """Why the bytes cannot be what the extension says (magic bytes), or None when they can."""
    head = data[:1024]
    if suffix == ".pdf":
        if b"%PDF-" not in head:
            actual = _looks_like(data) or "not a PDF"
            return f"content does not match its extension (.pdf, but {actual})"
        return None
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            actual = _looks_like(data) or "not a ZIP-based Word document"
            return f"content does not match its extension (.docx, but {actual})"
        try:
            # Reads only the central directory: cheap, and catches truncation and non-Word archives.
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" not in archive.namelist():
                    return "content does not match its extension (.docx, but a ZIP without a Word document)"
                # Declared sizes are in the directory too: a bomb is refused before any worker sees it.
                from core.contracts.extraction.docx import check_bomb

                check_bomb(archive)
        except ContractRejected as exc:
            return exc.reason
        except (zipfile.BadZipFile, OSError, ValueError):
            return "corrupt or truncated DOCX"
        return None
    if suffix in _TEXT_SUFFIXES:
        actual = _looks_like(data)
        if actual:
            return f"content does not match its extension ({suffix}, but {actual})"
    return None


def _decode(data: bytes) -> str:
    from core.contracts.extraction.text import decode_text

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


def _split_json(name: str, data: bytes, source: str) -> list[LoadItem]:
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


def _split_csv(name: str, data: bytes, source: str) -> list[LoadItem]:
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


def load_paths(paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    items: list[LoadItem] = []
    for path in iter_files(paths):
        items.extend(load_file(path, max_bytes=max_bytes))
    return LoadResult(tuple(items))
