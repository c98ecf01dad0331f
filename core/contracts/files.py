"""Reading a path as a contract file: only regular files, without blocking, never past the size limit."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DEFAULT_MAX_BYTES = int(float(os.environ.get("CONTRACT_BATCH_MAX_FILE_MB", "25")) * 1024 * 1024)


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
