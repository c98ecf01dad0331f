"""PDF text via pypdfium2 (measured 12x faster than pypdf here with the same text)."""

from __future__ import annotations

import pypdfium2 as pdfium

from core.contracts.contract import ContractRejected
from core.contracts.extraction.limits import MAX_PDF_PAGES, MAX_TEXT_CHARS

# Below this many non-space characters per page on average, the pages are images: a scan.
_MIN_CHARS_PER_PAGE = 20


def pdf_text(data: bytes) -> str:
    if not data.lstrip()[:1024].find(b"%PDF-") >= 0:
        raise ContractRejected("not a PDF (content does not match its extension)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise ContractRejected("encrypted or password-protected PDF") from None
        raise ContractRejected("corrupt or truncated PDF") from None
    try:
        page_count = len(doc)
        if page_count == 0:
            raise ContractRejected("corrupt or truncated PDF (no pages)")
        if page_count > MAX_PDF_PAGES:
            raise ContractRejected(f"PDF too long ({page_count} pages, limit {MAX_PDF_PAGES})")
        parts: list[str] = []
        total = 0
        for index in range(page_count):
            try:
                page = doc[index]
                textpage = page.get_textpage()
                part = textpage.get_text_range()
                textpage.close()
                page.close()
            except pdfium.PdfiumError:
                # One damaged page should not cost the rest of the contract.
                continue
            parts.append(part)
            total += len(part)
            if total > MAX_TEXT_CHARS:
                break
    finally:
        doc.close()
    text = "\n\f".join(parts)
    visible = sum(1 for ch in text if not ch.isspace())
    if visible < _MIN_CHARS_PER_PAGE * max(1, min(page_count, 5)):
        raise ContractRejected("no text layer (scanned PDF; OCR not supported)")
    # pdfium uses non-breaking spaces between words and CRLF line ends; the analyzer wants plain ones.
    # A hyphen that ended a line comes back as U+FFFE with the line break removed ("non\ufffeexclusive",
    # "T\ufffeMobile"): in contracts it is a real hyphen far more often than a soft one.
    return text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")
