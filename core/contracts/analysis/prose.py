"""Text preparation shared by the field extractors: one flat line of prose, and sentence lookup for evidence.

Every pattern in core.contracts.analysis runs on the flat text, where any whitespace run is one space: PDF
line breaks fall mid-sentence, and patterns stay simple (and linear) when they need not care about layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# EDGAR exhibits repeat a "Source: COMPANY, 10-K, 1/29/2020" footer on every page; its date is a filing
# date, not a contract date, and it splits sentences in two.
# A page number may run into it ("-ii-Source: ...") where the PDF joined two lines. The literal first
# (the line start checked by hand) makes the scan 5x cheaper than a (?m)^ pattern.
_FILING_FOOTER = re.compile(r"Source:[^\n]{0,200}?\d{1,2}/\d{1,2}/\d{4}[ \t]*(?=\n|$)")
_FOOTER_LEAD = 12  # characters a page number may put before "Source:" on the footer's line


def _drop_filing_footers(text: str, replacement: str = " ") -> str:
    parts: list[str] = []
    pos = 0
    for match in _FILING_FOOTER.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if match.start() - line_start > _FOOTER_LEAD or line_start < pos:
            continue
        parts += [text[pos:line_start], replacement]
        pos = match.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


# PDF text layers often split ordinal suffixes ("1s t day", "20t h day"), or set a superscript suffix on a
# line of its own ("this 7\nth day of").
# Written digit first (no leading \b or lookbehind) so the engine skips straight to digits: 3x faster.
_SPLIT_ORDINAL = re.compile(
    r"(\d(?:\d(?<!\w\d\d)|(?<!\w\d)))\s{0,3}(s ?t|n ?d|r ?d|t ?h)\b",
    re.IGNORECASE,
)
# A blank line (a paragraph break in TXT/DOCX/HTML) survives flattening as U+2029, which patterns see as
# whitespace but sentence splitting sees as a boundary: a heading is not part of the sentence after it.
PARAGRAPH = "\u2029"
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# OCR'd text layers glue "of" to the next word ("laws ofthe State ofTexas"); no English word starts so.
# The literal first (the \b after it) lets the engine jump from "of" to "of": 15x faster than \bof.
_GLUED_OF = re.compile(r"of(?<!\wof)(?=the\b|[A-Z][a-z])")
# Consuming the letter or digit before the gap (not a lookbehind at every position) keeps this fast.
# Two patterns, each starting with a character set the engine can skip to.
_GLUED_WORD_NUMBER = re.compile(r"(?:of|on|as)(?<!\w\w\w)(?=\d)")
_GLUED_NUMBER_WORD = re.compile(r"\d(?=(?:This|The|Each|Either|Any|All|In)\b)")
_QUOTES = (("“", '"'), ("”", '"'), ("„", '"'), ("‘", "'"), ("’", "'"), ("`", "'"), ("\u00ad", ""))


def _straight_quotes(text: str) -> str:
    # str.replace per character is several times faster than str.translate on long texts.
    for curly, plain in _QUOTES:
        if curly in text:
            text = text.replace(curly, plain)
    return text


_SENTENCE_END = re.compile(
    r"(?<=[.;:!?])\s+(?=[\"'(]?[A-Z0-9])|\u2029|\s+(?=\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+[A-Z][A-Za-z]+\s)"
)
_EVIDENCE_MAX = 400
# Where a written date can be: a 19xx/20xx year, or a numeric date with a two-digit year. Two patterns,
# each opening with what the engine can skip to (a literal digit, a separator): 5x faster than one
# alternation behind a lookbehind.
_YEAR_HINT = re.compile(r"(?:1[89]|2[01])\d\d(?<!\d\d\d\d\d)(?!\d)")
_NUMERIC_HINT = re.compile(r"[/.-](?<=\d[/.-])[0-3]?\d[/.-]\d\d")


def _join_ordinal(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace(" ", "")


def _drop_running_headers(text: str) -> str:
    """Keep the first copy of a line that recurs on every page (a running header or footer), drop the rest:
    repeated mid-sentence, they break the sentences around them."""
    lines = text.split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        key = line.strip()
        if 15 <= len(key) <= 150:
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, count in counts.items() if count >= 3}
    if not repeated:
        return text
    seen: set[str] = set()
    kept = []
    for line in lines:
        key = line.strip()
        if key in repeated:
            if key in seen:
                continue
            seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def flatten(text: str) -> str:
    """Normalise quotes and whitespace so patterns see one line of prose."""
    text = _drop_running_headers(_drop_filing_footers(text))
    text = _SPLIT_ORDINAL.sub(_join_ordinal, text)
    text = _GLUED_OF.sub("of ", text)
    text = _GLUED_NUMBER_WORD.sub(r"\g<0> ", _GLUED_WORD_NUMBER.sub(r"\g<0> ", text))
    text = _BLANK_LINE.sub(PARAGRAPH, text)
    # Whitespace runs become one space within a paragraph (str.split runs in C: several times faster than
    # a pattern over every space); empty paragraphs disappear.
    paragraphs = (" ".join(part.split()) for part in text.split(PARAGRAPH))
    text = PARAGRAPH.join(part for part in paragraphs if part)
    return text.strip()


@dataclass
class Document:
    """A contract's text once, with helpers every extractor uses."""

    raw: str
    flat: str = ""
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        raw = _straight_quotes(self.raw)
        self.flat = flatten(raw)
        self._date_spans: list[tuple[int, int]] | None = None
        self._lower: str | None = None
        self._word_starts: dict[str, list[int]] = {}
        # Only the head of the document is read line by line (title, party list); the rest as flat text.
        head = raw[:20000]
        self.lines = [" ".join(line.split()) for line in _drop_filing_footers(head, "").split("\n")[:300]]

    def near_dates(
        self, pattern: re.Pattern[str], start: int = 0, end: int | None = None
    ) -> Iterator[re.Match[str]]:
        """pattern.finditer over the parts of flat[start:end] that hold a date (a year, or a numeric date),
        from 420 characters before it to 80 after. Every pattern that ends or starts with a date finds the
        same matches there, at a fraction of the cost of scanning the whole text."""
        end = len(self.flat) if end is None else end
        if self._date_spans is None:
            spans: list[tuple[int, int]] = []
            hints = sorted(
                [(m.start(), m.end()) for m in _YEAR_HINT.finditer(self.flat)]
                + [(m.start() - 1, m.end()) for m in _NUMERIC_HINT.finditer(self.flat)]
            )
            for hint_start, hint_end in hints:
                lo, hi = max(0, hint_start - 420), hint_end + 80
                if spans and lo <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], hi)
                else:
                    spans.append((lo, hi))
            self._date_spans = spans
        for lo, hi in self._date_spans:
            if hi <= start or lo >= end:
                continue
            yield from pattern.finditer(self.flat, max(lo, start), min(hi, end))

    @property
    def lower(self) -> str:
        """flat in lower case with offsets aligned ("" in the rare text where lower() changes length)."""
        if self._lower is None:
            lowered = self.flat.lower()
            self._lower = lowered if len(lowered) == len(self.flat) else ""
        return self._lower

    def word_starts(self, word: str) -> list[int]:
        """Offsets of a lowercase literal in the text, any case (str.find runs in C: far cheaper than an
        IGNORECASE pattern scanning the whole text). Cached: several extractors ask for the same words."""
        cached = self._word_starts.get(word)
        if cached is None:
            lower = self.lower
            cached = []
            at = lower.find(word)
            while at >= 0:
                cached.append(at)
                at = lower.find(word, at + 1)
            self._word_starts[word] = cached
        return cached

    def whole_words(self, words: tuple[str, ...]) -> list[int]:
        """Sorted offsets of whole-word occurrences of lowercase literals (what r"\b(?:w1|w2)\b" with
        IGNORECASE finds), from the cached str.find offsets."""
        lower = self.lower
        found = []
        for word in words:
            size = len(word)
            for at in self.word_starts(word):
                before = lower[at - 1] if at else " "
                after = lower[at + size : at + size + 1] or " "
                if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                    found.append(at)
        return sorted(found)

    def near_words(
        self, pattern: re.Pattern[str], words: tuple[str, ...], before: int, after: int
    ) -> Iterator[re.Match[str]]:
        """pattern.finditer only around the (lowercase) words it cannot match without, in text order."""
        if not self.lower:
            yield from pattern.finditer(self.flat)
            return
        hits = sorted(at for word in words for at in self.word_starts(word))
        pos = 0
        for hit in hits:
            lo, hi = max(pos, hit - before), min(len(self.flat), hit + after)
            if hi <= pos:
                continue
            for match in pattern.finditer(self.flat, lo, hi):
                pos = max(pos, match.end())
                yield match
            pos = max(pos, lo)

    def sentence(self, start: int, end: int | None = None) -> str:
        """The sentence around flat[start:end], trimmed to a readable length: the evidence a person checks.

        Cut only between words, and marked with "…" where it is cut: a passage that starts mid-word
        ("greement governing...") reads as a bug, not as a quote."""
        end = start if end is None else end
        window_start = max(0, start - _EVIDENCE_MAX)
        head = self.flat[window_start:start]
        begin, cut_head = window_start, window_start > 0
        for match in _SENTENCE_END.finditer(head):
            begin, cut_head = window_start + match.end(), False
        tail = self.flat[end : end + _EVIDENCE_MAX]
        stop = _SENTENCE_END.search(tail)
        finish = end + (stop.start() if stop else len(tail))
        cut_tail = stop is None and finish < len(self.flat)
        if finish - begin > 2 * _EVIDENCE_MAX:
            begin, cut_head = max(begin, start - 200), cut_head or start - 200 > begin
            finish, cut_tail = min(finish, end + 200), cut_tail or end + 200 < finish
        if cut_head:
            space = self.flat.find(" ", begin, start)
            begin = space + 1 if space != -1 else begin
        if cut_tail:
            space = self.flat.rfind(" ", end, finish)
            finish = space if space != -1 else finish
        sentence = self.flat[begin:finish].replace(PARAGRAPH, " ").strip()
        return ("… " if cut_head else "") + sentence + (" …" if cut_tail else "")
