"""DOCX text: the zip is opened by hand so every part's size is checked before a byte is inflated.

python-docx would inflate whatever the archive declares; here the central directory is checked first
(declared sizes and compression ratio) and reading is capped, so a zip bomb is refused, not expanded.
The XML is parsed by lxml with entities and network access off.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from core.contracts.contract import ContractRejected
from core.contracts.extraction.limits import MAX_COMPRESSION_RATIO, MAX_DOCX_UNCOMPRESSED

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY_PART = "word/document.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
_MAX_ENTRIES = 5000


def check_bomb(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > _MAX_ENTRIES:
        raise ContractRejected(f"DOCX zip bomb ({len(infos)} entries)")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            raise ContractRejected(f"DOCX zip bomb ({info.filename} expands {ratio:.0f}x)")
    if total > MAX_DOCX_UNCOMPRESSED:
        raise ContractRejected(f"DOCX zip bomb ({total} bytes uncompressed, limit {MAX_DOCX_UNCOMPRESSED})")


def _read_capped(archive: zipfile.ZipFile, name: str) -> bytes:
    # The declared size can lie; read one byte past the cap to know whether it did.
    with archive.open(name) as member:
        data = member.read(MAX_DOCX_UNCOMPRESSED + 1)
    if len(data) > MAX_DOCX_UNCOMPRESSED:
        raise ContractRejected("DOCX zip bomb (part larger than declared)")
    return data


def _paragraph_text(paragraph: etree._Element) -> str:
    pieces: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            pieces.append(node.text or "")
        elif node.tag == f"{_W}tab":
            pieces.append("\t")
        else:
            pieces.append("\n")
    return "".join(pieces)


def docx_text(data: bytes) -> str:
    if not data.startswith(b"PK"):
        raise ContractRejected("not a DOCX (content does not match its extension)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_bomb(archive)
            try:
                xml = _read_capped(archive, _BODY_PART)
            except KeyError:
                raise ContractRejected("not a Word document (no word/document.xml)") from None
    except ContractRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise ContractRejected("corrupt or truncated DOCX") from None
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        raise ContractRejected("corrupt DOCX (document.xml is not valid XML)") from None
    if root is None:
        raise ContractRejected("corrupt DOCX (document.xml is empty)")
    # Paragraphs in document order, table cells included (w:p nested in w:tc), one per line.
    lines = [_paragraph_text(p) for p in root.iter(f"{_W}p")]
    return "\n".join(lines)
