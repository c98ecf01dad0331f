"""Term, expiration, renewal and notice: how long a contract runs and how it ends or renews.

The expiration date is the date the contract states, or the effective date plus a stated initial term
when the term runs from that date (or the contract does not say from when, which in law means the same).
A term that runs from some other event ("from the Launch Date") gives a ``term`` but no expiration date.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from core.contracts.analysis.anniversary import ANNIVERSARY, anniversary_date
from core.contracts.analysis.dates import DATE_RE, parse_match
from core.contracts.analysis.durations import parse_duration as _duration
from core.contracts.analysis.notice import notice as _notice
from core.contracts.analysis.patterns import DURATION, date_group, duration
from core.contracts.analysis.prose import Document

_D = date_group("d")


@dataclass(frozen=True, slots=True)
class TermFacts:
    term: str | None = None
    term_evidence: str | None = None
    expiration: date | None = None
    expiration_evidence: str | None = None
    # Set when the term runs from an event whose date the contract does not give ("from the Launch
    # Date"): the expiration date is then counted from the effective date, as an estimate, and says so.
    expiration_estimated_from: str | None = None
    auto_renewal: bool | None = None
    renewal_term: str | None = None
    renewal_evidence: str | None = None
    notice_period_days: int | None = None
    notice_evidence: str | None = None


# A statement of how long the agreement runs. The gaps are bounded so the search stays linear.
_TERM = re.compile(
    # "... shall remain in full force and effect for at least one year thereafter": "in force" heads a term.
    rf"\b(?:term|agreement|contract|duration|(?<=in\s)force|(?<=full\s)force)\b[^.;]{{0,160}}?"
    rf"(?:\b(?:of|for|be|is|until|lasting|end|expire)|:)\s+(?:at\s+least\s+)?(?:a\s+|an\s+|the\s+)?(?:entire\s+|full\s+|whole\s+)?(?:initial\s+|fixed\s+|minimum\s+)?"
    rf"(?:(?:period|term)\s+of\s+)?(?:at\s+least\s+|not\s+less\s+than\s+)?{DURATION}",
    re.IGNORECASE,
)
_END_DATE = re.compile(
    rf"\b(?:term|agreement|contract|expiration\s+date)\b[^.;]{{0,200}}?\b(?:until|through|expir(?:e|es|ing)(?:\s+on)?|"
    rf"end(?:s|ing)?\s+(?:on|as\s+of)|terminat(?:e|es|ing)\s+on|conclud(?:e|es|ing)\s+on|to\s+and\s+including)\s+"
    rf"(?:the\s+)?(?:close\s+of\s+business\s+on\s+)?{_D}",
    re.IGNORECASE,
)
# "Expiration Date: August 31, 2006" (a cover sheet), '"Expiration Date" means June 30, 2010'.
_EXPIRY_LABEL = re.compile(
    rf"\b(?:Expiration|Expiry|End|Termination)\s+Date\"?\s*(?::|means|shall\s+be|is|will\s+be)\s*(?:the\s+)?{_D}",
    re.IGNORECASE,
)
_INDEFINITE = re.compile(
    r"\b(?:indefinite\s+(?:term|period)|in\s+perpetuity|perpetual(?:ly)?\s+(?:term|basis|agreement)|"
    r"(?:continue|remain)[^.;]{0,60}?\buntil\s+terminated)",
    re.IGNORECASE,
)
# Durations in these sentences are about something else than the agreement's own term.
_NOT_TERM = re.compile(
    r"\b(?:surviv\w*|confidential\w*|warrant\w*|non-?compet\w*|solicit\w*|notice|after\s+(?:the\s+)?"
    r"(?:termination|expiration)|following\s+(?:the\s+)?(?:termination|expiration)|payment|invoice|"
    r"interest|renew\w*|extension|extend\w*|audit|records?|retain|guarantee|additional|further|subsequent|"
    r"successive)\b",
    re.IGNORECASE,
)
_ANCHOR = re.compile(
    r"\b(?:from|after|following|commencing|beginning|starting|as\s+of|since)\b\s*(?:on|upon|with|from)?\s*"
    r"(?:the\s+)?(?P<anchor>[^.;,]{0,60})",
    re.IGNORECASE,
)
# What a term may run from and still mean "from the effective date".
_EFFECTIVE_ANCHOR = re.compile(
    r"^(?:Effective\s+Date|date\s+(?:hereof|of\s+(?:this|the)\s+(?:Agreement|Contract)|first\s+(?:above\s+)?"
    r"(?:written|set\s+forth)|of\s+(?:its\s+)?(?:execution|signature|signing)|on\s+which\s+this|this\s+Agreement"
    r")|execution|signature|signing|Commencement\s+Date|Agreement\s+Date|date\s+of\s+execution)",
    re.IGNORECASE,
)

_AUTO = re.compile(
    r"\b(?:automatic\w*\s+(?:be\s+)?(?:renew|extend)\w*|(?:renew|extend)\w*\s+automatically|"
    r"automatic\s+(?:renewal|extension)s?|auto-?renew\w*|(?-i:evergreen)\s+(?:clause|renewal|basis|term)|"
    r"(?:renew|extend)\w*\s+(?:\w+\s+){0,4}for\s+(?:\w+\s+){0,2}(?:successive|consecutive)|"
    r"continue\s+(?:\w+\s+){0,4}(?:year|month)[- ]to[- ](?:year|month))",
    re.IGNORECASE,
)
_NO_AUTO = re.compile(
    r"\b(?:(?:shall|will)\s+not\s+(?:be\s+)?(?:automatically\s+)?renew\w*|"
    r"(?:may|can)\s+be\s+(?:renewed|extended)\s+(?:\w+\s+){0,6}(?:mutual|written)\s+(?:written\s+)?"
    r"(?:agreement|consent)|no\s+automatic\s+renewal)",
    re.IGNORECASE,
)
_RENEWAL_DURATION = re.compile(
    rf"\b(?:successive|additional|further|renewal|consecutive|subsequent|extension)\b[^.;]{{0,60}}?"
    rf"{duration('a')}|{duration('b')}\s+(?:renewal|successive|additional|extension)",
    re.IGNORECASE,
)
_RENEWAL_PERIODIC = re.compile(
    r"\b(?P<every>annually|year[- ]to[- ]year|yearly|month[- ]to[- ]month)\b", re.IGNORECASE
)


def _date_in(match: re.Match[str]) -> date | None:
    inner = DATE_RE.search(match.group("d"))
    return parse_match(inner) if inner else None


_STRONG_TERM = re.compile(
    r"\b(?:term\s+of\s+(?:this|the)\s+(?:agreement|contract)|initial\s+term|(?:this|the)\s+(?:agreement|contract)"
    r"\s+(?:shall|will|is)|the\s+term\b|\bterm\s*:)",
    re.IGNORECASE,
)
_END_IN_SENTENCE = re.compile(
    rf"\b(?:until|through|expir(?:e|es|ing)(?:\s+on)?|end(?:s|ing)?\s+(?:on|as\s+of)|ending|"
    rf"terminat(?:e|es|ing)\s+on|conclud(?:e|es|ing)\s+on)\s+"
    rf"(?:the\s+)?{_D}",
    re.IGNORECASE,
)


# A duration that runs after something else ("for two years thereafter", "during the Term and for a
# period of one year after") is a survival period, not the agreement's term.
_AFTERWARDS = re.compile(
    r"[^\w;.]{0,3}(?:\w+[^\w;.]+){0,3}?(?:thereafter|(?:after|following|prior\s+to|before)\s+(?:the\s+|such\s+|any\s+)?"
    r"(?:termination|expiration|expiry|end)|prior|before)\b",
    re.IGNORECASE,
)
_BEGINS = re.compile(
    r"\b(?:begin|commence|become\s+effective|effective\s+(?:upon|on|as\s+of))", re.IGNORECASE
)
_DURING = re.compile(r"\b(?:during|throughout)\s+the\s+(?:\w+\s+)?term\b", re.IGNORECASE)


_TERM_WORD = re.compile(r"\b(?:term|agreement|contract|duration)\b", re.IGNORECASE)
_TERM_WORDS = ("term", "agreement", "contract", "duration", "force")
_UNIT_WORD = re.compile(r"(?:year|month)s?\b", re.IGNORECASE)


def _term_matches(doc: Document) -> Iterator[re.Match[str]]:
    """_TERM.finditer, tried only where a year/month unit lies close enough to end a match.

    Same matches, but a text full of "term ... of" with no duration nearby costs one pass, not a
    duration attempt at every position of every gap. Words are found with str.find (doc.whole_words):
    IGNORECASE alternations over the whole text were a tenth of the analysis time."""
    flat = doc.flat
    if doc.lower:
        units = sorted(doc.word_starts("year") + doc.word_starts("month"))
        words = doc.whole_words(_TERM_WORDS)
    else:
        units = [m.start() for m in _UNIT_WORD.finditer(flat)]
        words = [m.start() for m in _TERM_WORD.finditer(flat)]
    resume = 0
    for at in words:
        if at < resume:
            continue
        nearest = bisect.bisect_left(units, at + 4)
        if nearest == len(units) or units[nearest] > at + 268:
            continue
        match = _TERM.match(flat, at)
        if match:
            resume = match.end()
            yield match


def _is_strong(flat: str, match: re.Match[str]) -> bool:
    return bool(_STRONG_TERM.search(flat, max(0, match.start() - 12), match.end()))


def _term(
    doc: Document, effective: date | None
) -> tuple[str | None, str | None, date | None, str | None, str | None]:
    """(term label, its evidence, expiration date, its evidence, event an estimate counts from).

    The statement of the agreement's own term decides, most explicit first: a term clause with a
    duration (its end date if it names one, else the duration counted from its start), then a term
    clause with an end date, then weaker mentions of a duration or an end date."""
    flat = doc.flat
    strong_duration = weak_duration = None
    for match in _term_matches(doc):
        span = _duration(match)
        if span is None or span.unit not in ("year", "month") or _NOT_TERM.search(match.group()):
            continue
        afterwards = _AFTERWARDS.match(flat, match.end(), match.end() + 40)
        begins = _BEGINS.search(flat, max(0, match.start() - 120), match.end())
        if afterwards and "thereafter" in afterwards.group().lower() and begins:
            # "shall begin on the date hereof and continue for 12 months thereafter": the term itself.
            afterwards = None
        if _DURING.search(flat, max(0, match.start() - 30), match.end()) or afterwards:
            continue
        if _is_strong(flat, match):
            strong_duration = match
            break
        weak_duration = weak_duration or match
    strong_end = weak_end = None
    for match in doc.near_dates(_END_DATE):
        if _NOT_TERM.search(match.group()) and "term" not in match.group().lower():
            continue
        value = _date_in(match)
        if value is None or (effective is not None and value <= effective):
            continue
        if _is_strong(flat, match):
            strong_end = (match, value)
            break
        weak_end = weak_end or (match, value)

    term_label = term_evidence = None
    expiration = expiration_evidence = estimated_from = None
    chosen = strong_duration or (None if strong_end else weak_duration)
    if chosen is not None:
        span = _duration(chosen)
        assert span is not None
        sentence = doc.sentence(chosen.start(), chosen.end())
        term_label, term_evidence = span.label(), sentence
        stated_end = _END_IN_SENTENCE.search(sentence)
        end_value = _date_in(stated_end) if stated_end else None
        if end_value is not None and (effective is None or end_value > effective):
            expiration, expiration_evidence = end_value, sentence
        else:
            # "five years from X" names its start after the duration; "commencing on X and continuing
            # for five years" before it. The words after the duration, within its sentence, come first.
            after = re.split(r"[.;]\s", flat[chosen.end() : chosen.end() + 200], maxsplit=1)[0]
            clause = after if _ANCHOR.search(after) else flat[chosen.start() : chosen.end()]
            start = _term_start(clause, effective)
            if start is not None:
                expiration, expiration_evidence = span.after(start), sentence
            elif effective is not None:
                anchor = _ANCHOR.search(clause)
                estimated_from = anchor.group("anchor").strip() if anchor else "another event"
                expiration, expiration_evidence = span.after(effective), sentence
    stated = _stated_end(doc, effective)
    if stated is not None and (chosen is None or not _is_strong(flat, chosen) or stated[2]):
        expiration, expiration_evidence, estimated_from = stated[0], stated[1], None
    end = strong_end or (weak_end if chosen is None else None)
    if expiration is None and end is not None:
        match, value = end
        expiration, expiration_evidence = value, doc.sentence(match.start(), match.end())
    if term_label is None and expiration is None:
        indefinite = _INDEFINITE.search(flat)
        if indefinite:
            term_label, term_evidence = "indefinite", doc.sentence(indefinite.start(), indefinite.end())
    return term_label, term_evidence, expiration, expiration_evidence, estimated_from


def _stated_end(doc: Document, effective: date | None) -> tuple[date, str, bool] | None:
    """An end written as a date label or an anniversary of the start: (date, evidence, in a term clause)."""
    flat = doc.flat
    label = next(doc.near_dates(_EXPIRY_LABEL), None)
    if label:
        value = _date_in(label)
        if value is not None and (effective is None or value > effective):
            return value, doc.sentence(label.start(), label.end()), True
    lower = flat.lower()
    at = lower.find("anniversary")
    while at >= 0:
        match = ANNIVERSARY.search(flat, max(0, at - 160), at + 80)
        at = lower.find("anniversary", at + 1)
        if match is None:
            continue
        lead = flat[max(0, match.start() - 200) : match.start()]
        if not _TERM_WORD.search(lead) or _NOT_TERM.search(match.group()):
            continue
        anchor = match.group("anchor").strip()
        dated = DATE_RE.match(anchor)
        start = parse_match(dated) if dated else (effective if _EFFECTIVE_ANCHOR.match(anchor) else None)
        if start is None and re.match(r"(?:this\s+)?(?:Agreement|Contract)\b", anchor, re.IGNORECASE):
            start = effective
        if start is None:
            continue
        value = anniversary_date(match, start)
        if value is not None:
            return value, doc.sentence(match.start(), match.end()), True
    return None


def _term_start(clause: str, effective: date | None) -> date | None:
    """When the term starts: a date it names, the effective date, or unknown (another event)."""
    anchor = _ANCHOR.search(clause)
    if anchor is None:
        return effective
    text = anchor.group("anchor").strip()
    dated = DATE_RE.match(text)
    if dated:
        return parse_match(dated)
    if _EFFECTIVE_ANCHOR.match(text):
        return effective
    return None


def _renewal(doc: Document, term_label: str | None) -> tuple[bool | None, str | None, str | None]:
    negative = next(doc.near_words(_NO_AUTO, _RENEWAL_WORDS, 40, 160), None)
    positive = next(doc.near_words(_AUTO, _RENEWAL_WORDS, 80, 160), None)
    if positive is None:
        if negative is not None:
            return False, None, doc.sentence(negative.start(), negative.end())
        return None, None, None
    sentence = doc.sentence(positive.start(), positive.end())
    renewal_term = None
    for found in _RENEWAL_DURATION.finditer(sentence):
        span = _duration(found)
        # Days here are a notice period ("non-renewal at least 90 days"), not the renewal's length.
        if span is not None and span.unit in ("year", "month"):
            renewal_term = span.label()
            break
    if renewal_term is None:
        periodic = _RENEWAL_PERIODIC.search(sentence)
        if periodic:
            renewal_term = "1 month" if "month" in periodic.group("every").lower() else "1 year"
    if renewal_term is None and re.search(
        r"\b(?:same|like|equal)\s+(?:period|term|duration)", sentence, re.I
    ):
        renewal_term = term_label
    return True, renewal_term, sentence


# Every renewal wording has one of these words; the patterns run only around them.
_RENEWAL_WORDS = ("renew", "extend", "extension", "evergreen", "continu")


def term_facts(doc: Document, effective: date | None) -> TermFacts:
    term_label, term_evidence, expiration, expiration_evidence, estimated_from = _term(doc, effective)
    auto, renewal_term, renewal_evidence = _renewal(doc, term_label)
    notice_days, notice_evidence = _notice(doc)
    return TermFacts(
        term=term_label,
        term_evidence=term_evidence,
        expiration=expiration,
        expiration_evidence=expiration_evidence,
        expiration_estimated_from=estimated_from,
        auto_renewal=auto,
        renewal_term=renewal_term,
        renewal_evidence=renewal_evidence,
        notice_period_days=notice_days,
        notice_evidence=notice_evidence,
    )
