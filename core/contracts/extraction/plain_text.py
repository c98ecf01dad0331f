"""Decoding plain text whatever its encoding: BOMs, UTF-8, UTF-16 without BOM, then charset-normalizer."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from core.contracts.contract import ContractRejected

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# charset-normalizer is quadratic-ish on big inputs; a sample this size decides the encoding reliably.
_DETECT_SAMPLE = 64 * 1024


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of Latin script has a NUL in every other byte; detect which half carries them."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return controls > 0.05 * len(sample)


def decode_text(data: bytes) -> str:
    """Decode bytes to str. Rejects content that is binary rather than text in any encoding."""
    if not data:
        raise ContractRejected("empty file")
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            break
    if text is None and (encoding16 := _utf16_without_bom(data)):
        text = data.decode(encoding16, errors="replace")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            best = from_bytes(data[:_DETECT_SAMPLE]).best()
            # Latin-1 maps every byte, so it is the honest last resort for legacy 8-bit text.
            encoding = best.encoding if best is not None else "latin-1"
            try:
                text = data.decode(encoding, errors="replace")
            except LookupError:
                text = data.decode("latin-1")
    if _looks_binary(text):
        raise ContractRejected("binary content, not text (content does not match its extension)")
    return text.replace("\r\n", "\n").replace("\r", "\n")
