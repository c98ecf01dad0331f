"""Bounds that keep one hostile or huge document from stalling a worker."""

from __future__ import annotations

import os

# A long commercial contract is ~100-300k characters; 2M leaves room for exhibits without letting the
# analysis stage run for minutes.
MAX_TEXT_CHARS = int(os.environ.get("CONTRACT_BATCH_MAX_TEXT_CHARS", "2000000"))
MAX_PDF_PAGES = int(os.environ.get("CONTRACT_BATCH_MAX_PDF_PAGES", "1500"))
# DOCX: the XML parts we read, after decompression, and the ratio above which a part is a bomb.
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
