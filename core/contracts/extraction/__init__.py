"""Text extraction: turn a contract's bytes into plain text, or reject it with a reason a person understands.

Runs on the worker (it sees ``contract.data`` and ``media_type`` only). Every format module bounds what it
reads (pages, decompressed bytes, characters) so a hostile file can cost time and memory only up to a limit.
"""

from __future__ import annotations

from core.contracts.contract import ContractRejected
from core.contracts.extraction.limits import MAX_TEXT_CHARS
from core.contracts.extraction.plain_text import decode_text
from core.contracts.formats import BY_MEDIA_TYPE, resolve

__all__ = ["MAX_TEXT_CHARS", "decode_text", "extract_text"]


def extract_text(data: bytes, media_type: str) -> str:
    """Plain text of a document. Raises ContractRejected for encrypted, scanned, corrupt or bomb files."""
    if not data:
        raise ContractRejected("empty file")
    kind = media_type.split(";", 1)[0].strip().lower()
    fmt = BY_MEDIA_TYPE.get(kind)
    if fmt is not None:
        text = str(resolve(fmt.extractor)(data))
    elif kind.startswith("text/"):
        text = decode_text(data)  # a text type no format names: read as plain text
    else:
        raise ContractRejected(f"unsupported media type {media_type!r}")
    return text[:MAX_TEXT_CHARS]
