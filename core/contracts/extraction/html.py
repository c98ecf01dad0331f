"""HTML text via BeautifulSoup on the lxml parser: block elements become line breaks, scripts are dropped."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from core.contracts.extraction.plain_text import decode_text

_BLOCKS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "section",
    "article", "blockquote", "td", "th", "dt", "dd", "hr", "title",
)  # fmt: skip
_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def html_text(data: bytes) -> str:
    markup = decode_text(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        # A newline after each block keeps sentences and headings apart, as a browser would show them.
        tag.insert_after("\n")
    text = soup.get_text()
    return _BLANKS.sub("\n\n", text)
