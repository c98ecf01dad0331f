"""Text extraction: turn a contract's bytes into plain text, or reject it with a reason a person understands.

Runs on the worker (it sees ``contract.data`` and ``media_type`` only). Every format module bounds what it
reads (pages, decompressed bytes, characters) so a hostile file can cost time and memory only up to a limit.
"""

from __future__ import annotations

from core.contracts.contract import ContractRejected
from core.contracts.extraction.limits import MAX_TEXT_CHARS
from core.contracts.extraction.text import decode_text

__all__ = ["MAX_TEXT_CHARS", "decode_text", "extract_text"]


def extract_text(data: bytes, media_type: str) -> str:
    """Plain text of a document. Raises ContractRejected for encrypted, scanned, corrupt or bomb files."""
    if not data:
        raise ContractRejected("empty file")
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind == "application/pdf":
        from core.contracts.extraction.pdf import pdf_text

        text = pdf_text(data)
    elif kind == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        from core.contracts.extraction.docx import docx_text

        text = docx_text(data)
    elif kind in ("text/html", "application/xhtml+xml"):
        from core.contracts.extraction.html import html_text

        text = html_text(data)
    elif kind.startswith("text/") or kind == "application/json":
        text = decode_text(data)
    else:
        raise ContractRejected(f"unsupported media type {media_type!r}")
    return text[:MAX_TEXT_CHARS]
