"""Turn paths (files and folders) into contracts, in the order a person sees them, rejecting what can't load.

Nothing is silently dropped: every file ends up either as a Contract or as a LoadRejection with a reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.contract import Contract, LoadItem, LoadRejection

DEFAULT_MAX_BYTES = int(float(os.environ.get("CONTRACT_BATCH_MAX_FILE_MB", "25")) * 1024 * 1024)

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
            found = [
                p
                for p in path.rglob("*")
                if not any(part.startswith(".") for part in p.relative_to(path).parts)
                and (p.is_file() or p.is_symlink())
            ]
            files.extend(sorted(found))
        else:
            files.append(path)
    return files


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[LoadItem]:
    name = path.name
    source = str(path)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        kind = path.suffix or "no extension"
        return [LoadRejection(name, f"unsupported file type ({kind})", source)]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return [LoadRejection(name, f"file too large ({size} bytes, limit {max_bytes})", source)]
        data = path.read_bytes()
    except FileNotFoundError:
        return [LoadRejection(name, "file not found", source)]
    except IsADirectoryError:
        return [LoadRejection(name, "is a directory", source)]
    except OSError as exc:
        return [LoadRejection(name, f"unreadable: {exc.strerror or exc}", source)]
    if not data:
        return [LoadRejection(name, "empty file", source)]
    return [Contract(name=name, data=data, media_type=media_type, source=source)]


def load_paths(paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    items: list[LoadItem] = []
    for path in iter_files(paths):
        items.extend(load_file(path, max_bytes=max_bytes))
    return LoadResult(tuple(items))
