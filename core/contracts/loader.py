"""Turn paths (files and folders) into contracts, in the order a person sees them, rejecting what can't load.

Nothing is silently dropped: every file ends up either as a Contract or as a LoadRejection with a reason.
Which formats there are, and how each is checked and split, is ``core.contracts.formats``; reading a file
safely is ``core.contracts.files``; files of many contracts are ``core.contracts.tabular``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.contracts.contract import Contract, LoadItem, LoadRejection
from core.contracts.files import DEFAULT_MAX_BYTES, NotARegularFile, kind_problem, read_regular_file
from core.contracts.formats import BY_SUFFIX, MEDIA_TYPES, content_mismatch, resolve
from core.contracts.tabular import MAX_ENTRIES_ENV

if TYPE_CHECKING:
    from core.contracts.formats import Splitter

__all__ = ["DEFAULT_MAX_BYTES", "MAX_ENTRIES_ENV", "MEDIA_TYPES", "LoadResult", "content_mismatch",
           "iter_files", "load_file", "load_paths"]


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
    fmt = BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
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
    mismatch = fmt.check(data)
    if mismatch:
        return [LoadRejection(name, mismatch, source)]
    if fmt.splitter is not None:
        split: Splitter = resolve(fmt.splitter)  # type: ignore[assignment]
        return split(name, data, source)
    return [Contract(name=name, data=data, media_type=fmt.media_type, source=source)]


def load_paths(paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    items: list[LoadItem] = []
    # Each path is let go once loaded: freeing a folder's 100,000 paths at once at the end was one C-level
    # stretch of about 50 ms with the interpreter lock held, beside the desktop app's GUI thread.
    files = iter_files(paths)
    files.reverse()
    while files:
        items.extend(load_file(files.pop(), max_bytes=max_bytes))
    return LoadResult(tuple(items))

