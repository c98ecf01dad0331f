"""Signature blocks: where they are, and the dates written in them.

A contract whose opening states no date is dated when the last party signs: the signature blocks
("By: /s/ ... Name: ... Title: ... Date: 3/4/11") carry those dates. A date counts as a signing date when
a "Date" word is next to it and a signature marker ("/s/", "By:", "Name:", "Title:", "Signature",
"IN WITNESS WHEREOF") is close by: an exhibit's "Delivery Date: ..." line far from any signature is not.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from core.contracts.analysis.dates import find_dates
from core.contracts.analysis.prose import Document

# Lowercase literals found with str.find (Document.word_starts); "by:" and "name:" are form labels.
# "Name:" and "Title:" alone are any form's fields (an exhibit's data sheet), not a signature.
_MARKERS = ("/s/", "by:", "signature", "in witness whereof", "signed by", "signed for")
_MARKER_REACH = 300  # characters between a signing date and the nearest signature marker
_DATE_BEFORE = 160  # a date written in the column above its "Date" label ("1/14/02 ... Name  Date")
_DATE_AFTER = 60  # "Date: March 4, 2011"
_BLOCK_GAP = 1500  # signing dates further apart than this belong to another block (an exhibit's form)
# "Effective Date:", "Delivery Date:" in a cover table next to a "Title:" label are not signing dates.
_OTHER_DATE = re.compile(
    r"(?:effective|commencement|expiration|expiry|termination|delivery|start|end|due|closing|launch|open|"
    r"opening|renewal|payment|invoice|shipment|birth|filing|amendment|issue|target|completion|approval)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SigningDate:
    value: date
    start: int
    end: int


def _markers(doc: Document) -> list[int]:
    return sorted(at for marker in _MARKERS for at in doc.word_starts(marker))


def signing_dates(doc: Document) -> list[SigningDate]:
    """Dates written next to a "Date" label inside signature blocks, in text order."""
    if not doc.lower:
        return []
    markers = _markers(doc)
    if not markers:
        return []
    found: dict[int, SigningDate] = {}
    for at in doc.whole_words(("date", "dated")):
        nearest = bisect.bisect_left(markers, at - _MARKER_REACH)
        if nearest == len(markers) or markers[nearest] > at + _MARKER_REACH:
            continue
        if _OTHER_DATE.search(doc.flat, max(0, at - 30), at):
            continue
        for written in find_dates(doc.flat, max(0, at - _DATE_BEFORE), at + _DATE_AFTER):
            found.setdefault(written.start, SigningDate(written.value, written.start, written.end))
    return [found[key] for key in sorted(found)]


def last_signing_date(doc: Document) -> SigningDate | None:
    """The latest date of the first signature blocks: a contract is made when its last party signs.
    Later blocks (a form attached as an exhibit, an acknowledgement) are other documents."""
    dates = signing_dates(doc)
    if not dates:
        return None
    block = [dates[0]]
    for written in dates[1:]:
        if written.start - block[-1].end > _BLOCK_GAP:
            break
        block.append(written)
    return max(block, key=lambda d: (d.value, -d.start))
