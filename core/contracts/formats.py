"""The file formats the app reads, each in one entry: its suffixes, media type, how to tell its content
from what it is often confused with, how it becomes contracts, and which function extracts its text.

Adding a format is adding an entry here (and, for a new kind of document, its extractor module): the
loader (``core.contracts.loader``) and the text extraction (``core.contracts.extraction``) read this table.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from core.contracts.contract import ContractRejected

if TYPE_CHECKING:
    from core.contracts.contract import LoadItem

    Splitter = Callable[[str, bytes, str], list[LoadItem]]

# Leading bytes of formats a contract file is often confused with: a PDF saved as .txt, a .doc renamed.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
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


def looks_like(data: bytes) -> str | None:
    for signature, label in SIGNATURES:
        if data.startswith(signature):
            return label
    return None


def _is_pdf(data: bytes) -> str | None:
    if b"%PDF-" not in data[:1024]:
        return f"content does not match its extension (.pdf, but {looks_like(data) or 'not a PDF'})"
    return None


def _is_docx(data: bytes) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        actual = looks_like(data) or "not a ZIP-based Word document"
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


def _is_text(suffix: str) -> Callable[[bytes], str | None]:
    def check(data: bytes) -> str | None:
        actual = looks_like(data)
        return f"content does not match its extension ({suffix}, but {actual})" if actual else None

    return check


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    media_type: str
    # Why these bytes cannot be this format (content sniffing), or None when they can.
    check: Callable[[bytes], str | None]
    # "module:function" turning the bytes into plain text on the worker (imported only when used).
    extractor: str
    # A file holding many contracts: "module:function" splitting it into entries at load time.
    splitter: str | None = None


_DECODE = "core.contracts.extraction.plain_text:decode_text"
FORMATS: tuple[Format, ...] = (
    Format("PDF", (".pdf",), "application/pdf", _is_pdf, "core.contracts.extraction.pdf:pdf_text"),
    Format("Word", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           _is_docx, "core.contracts.extraction.docx:docx_text"),
    Format("text", (".txt",), "text/plain", _is_text(".txt"), _DECODE),
    Format("Markdown", (".md",), "text/markdown", _is_text(".md"), _DECODE),
    Format("HTML", (".html", ".htm"), "text/html", _is_text(".html"),
           "core.contracts.extraction.html:html_text"),
    Format("JSON", (".json",), "application/json", _is_text(".json"), _DECODE,
           splitter="core.contracts.tabular:split_json"),
    Format("CSV", (".csv",), "text/csv", _is_text(".csv"), _DECODE,
           splitter="core.contracts.tabular:split_csv"),
)
BY_SUFFIX: dict[str, Format] = {s: f for f in FORMATS for s in f.suffixes}
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in reversed(FORMATS)}
BY_MEDIA_TYPE["application/xhtml+xml"] = BY_MEDIA_TYPE["text/html"]
# suffix -> media type, as the loader has always published it
MEDIA_TYPES: dict[str, str] = {s: f.media_type for s, f in BY_SUFFIX.items()}


def content_mismatch(suffix: str, data: bytes) -> str | None:
    """Why the bytes cannot be what the extension says (magic bytes), or None when they can."""
    fmt = BY_SUFFIX.get(suffix)
    return fmt.check(data) if fmt is not None else None


@cache
def resolve(spec: str) -> Callable[..., object]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
