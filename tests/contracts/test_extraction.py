"""Text extraction per format, and the rejections found only when reading the document."""

from __future__ import annotations

import codecs
import io
import time
import zipfile

import pytest

from core.contracts.analysis.contract_analysis import analyze_contract
from core.contracts.contract import ContractRejected
from core.contracts.extraction import extract_text

from .conftest import CONTRACT_TEXT

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _rejected(data: bytes, media_type: str) -> str:
    with pytest.raises(ContractRejected) as caught:
        extract_text(data, media_type)
    return caught.value.reason


def test_pdf_text(text_pdf: bytes) -> None:
    text = extract_text(text_pdf, PDF)
    assert "Acme Widgets, Inc." in text
    assert "\xa0" not in text and "\r" not in text


def test_encrypted_pdf_rejected(encrypted_pdf: bytes) -> None:
    assert _rejected(encrypted_pdf, PDF) == "encrypted or password-protected PDF"


def test_scanned_pdf_rejected(scanned_pdf: bytes) -> None:
    assert _rejected(scanned_pdf, PDF) == "no text layer (scanned PDF; OCR not supported)"


def test_truncated_pdf_rejected(text_pdf: bytes) -> None:
    reason = _rejected(text_pdf[: len(text_pdf) // 3], PDF)
    assert reason.startswith(("corrupt or truncated PDF", "no text layer"))


def test_docx_text_includes_tables(text_docx: bytes) -> None:
    text = extract_text(text_docx, DOCX)
    assert "Globex Services LLC" in text
    assert "Signed by Provider" in text


def test_truncated_docx_rejected(text_docx: bytes) -> None:
    assert _rejected(text_docx[: len(text_docx) // 2], DOCX) == "corrupt or truncated DOCX"


def test_docx_zip_bomb_rejected_quickly(zip_bomb_docx: bytes) -> None:
    started = time.perf_counter()
    assert "zip bomb" in _rejected(zip_bomb_docx, DOCX)
    assert time.perf_counter() - started < 1.0


def test_docx_lying_about_its_size_is_capped() -> None:
    """A central directory that under-declares the size must not let the reader inflate past the cap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document xmlns:w='x'/>")
    assert extract_text(buffer.getvalue(), DOCX) == ""


def test_docx_with_invalid_xml_rejected() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    assert "not valid XML" in _rejected(buffer.getvalue(), DOCX)


def test_docx_entity_expansion_is_not_performed() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", bomb)
    try:
        text = extract_text(buffer.getvalue(), DOCX)
    except ContractRejected:
        return
    assert "aaaaaaaaaa" not in text


def test_html_drops_scripts_and_keeps_blocks() -> None:
    page = (
        "<html><head><title>T</title><script>var secret = 1;</script><style>p{}</style></head><body>"
        "<h1>SUPPLY AGREEMENT</h1><p>First paragraph.</p><p>Second paragraph.</p></body></html>"
    )
    text = extract_text(page.encode(), "text/html")
    assert "secret" not in text
    assert "SUPPLY AGREEMENT\n" in text
    assert "First paragraph.\nSecond paragraph." in text


@pytest.mark.parametrize(
    "data",
    [
        CONTRACT_TEXT.encode("utf-16"),  # with BOM
        CONTRACT_TEXT.encode("utf-16-le"),  # without BOM
        CONTRACT_TEXT.encode("utf-16-be"),
        codecs.BOM_UTF8 + CONTRACT_TEXT.encode("utf-8"),
        CONTRACT_TEXT.replace("Acme", "Acmé").encode("latin-1"),
        CONTRACT_TEXT.replace("Acme", "Acmé").replace('"', "\u201c").encode("cp1252"),
    ],
)
def test_text_encodings_decoded(data: bytes) -> None:
    text = extract_text(data, "text/plain")
    assert "Globex Services LLC" in text
    assert "\ufffd" not in text[:2000]


def test_binary_text_file_rejected() -> None:
    assert "binary content" in _rejected(bytes(range(256)) * 50, "text/plain")


def test_unsupported_media_type_rejected() -> None:
    assert "unsupported media type" in _rejected(b"data", "application/x-foo")


def test_pdf_contract_analyzed_end_to_end(text_pdf: bytes) -> None:
    result = analyze_contract(text_pdf, PDF)
    assert result["governing_law"] == "New York"
    assert result["effective_date"] == "2021-03-03"
