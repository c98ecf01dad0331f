"""Text from outside (file names, labels, errors) as it may be shown: nothing that forges a line, moves a
terminal's cursor, reverses text or cannot be encoded.

Linux file names are bytes: ``b"\\xff\\xfe.txt"`` reaches Python as a string with lone surrogates, which
UTF-8 writers (CSV, PDF, email, a terminal) refuse, so a report with such a name could never be exported
or sent. A name with CR/LF or an escape sequence forged rows in ``status`` and ``report``. JSON keeps the
exact value; everything a person reads uses :func:`printable`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@lru_cache(maxsize=4096)
def _char(c: str) -> str:
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): shown as the byte
        return f"\\x{code - 0xDC00:02x}"
    if c in _ESCAPES:
        return _ESCAPES[c]
    category = unicodedata.category(c)
    # Controls (C0, DEL, C1), surrogates, and format characters such as the bidi overrides.
    if category in ("Cc", "Cs", "Cf") and c not in ("\u200d", "\u00ad"):
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return c


def printable(text: object) -> str:
    value = "" if text is None else str(text)
    if value.isprintable():
        return value  # the common case: nothing to do
    return "".join(_char(c) for c in value)
