"""Agreement dates: whose date a date is (this contract's or another document's), and signing dates."""

from __future__ import annotations

import pytest

from core.contracts.analysis import analyze_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A document introduced by "a", "the", "that certain" is another one.
        ("WHEREAS, X and Y have previously entered into a Selling Agreement, effective as of December 1, "
         "2002. This Agreement is made by X and Y. IN WITNESS WHEREOF the parties signed. By: /s/ A "
         "Date: March 3, 2004", "2004-03-03"),
        ("This Amendment No. 3 is effective as of July 3, 2019 and amends that certain Manufacturing "
         "Agreement between Heritage and Premier dated July 1, 2017.", "2019-07-03"),
        # A verb between the other document and the date: the clause's subject ("This Amendment") decides.
        ("This Amendment to the License Agreement is effective as of May 5, 2011 between A Inc. and B Ltd.",
         "2011-05-05"),
        # A date's own alias ("Execution Date") is not another document's name.
        ('This Agreement is entered into as of November 27, 2017 (the "Execution Date") by and between A '
         'LLC and B Inc. The term shall commence as of April 1, 2018 (the "Effective Date").', "2017-11-27"),
        ('This Agreement ("Agreement") is executed on this 11th day of December, 2015 ("Execution Date") by '
         "and between A Inc. and B Ltd.", "2015-12-11"),
        # A form's label for the contract's own date.
        ("SUPPLY CONTRACT Contract Date: 12 March 2009 Buyer: A Inc. Seller: B Ltd.", "2009-03-12"),
        # 'The Effective Date of this Agreement (herein called the "Effective Date") is ...'
        ('This Agreement is made by A Inc. and B Ltd. The Effective Date of this Agreement (herein called '
         'the "Effective Date") is September 21, 1998. RECITALS WHEREAS, A and B are parties to an '
         "Electronic Software Distribution Agreement, dated as of September 1, 1997.", "1998-09-21"),
    ],
)  # fmt: skip
def test_whose_date_it_is(text: str, expected: str) -> None:
    assert analyze_text(text)["agreement_date"] == expected


def test_a_dated_document_after_a_long_party_list_is_another_document() -> None:
    text = (
        "Addendum Effective Date March 3, 2011 This Schedule is made as of the effective date set forth "
        'above to that Software License Agreement, by and between Cardlytics, Inc. ("Supplier") and Bank of '
        'America, N. A. ("Bank of America"), dated November 5, 2010, as amended. By: /s/ S. Grimes '
        "Date: 3/4/11 By: /s/ C. Torrence Date: 3/3/11"
    )
    result = analyze_text(text)
    assert result["agreement_date"] == "2011-03-04"
    assert result["effective_date"] == "2011-03-03"


def test_a_letters_date_at_its_head_dates_it() -> None:
    text = (
        "Yield Maintenance Agreement Date: 27 April 2006 To: Wells Fargo Bank From: UBS AG. The purpose of "
        "this communication is to confirm the terms of the Transaction. Effective Date 01 April 2006."
    )
    result = analyze_text(text)
    assert (result["agreement_date"], result["effective_date"]) == ("2006-04-27", "2006-04-01")


def test_without_a_date_in_the_opening_the_last_signature_dates_the_contract() -> None:
    text = (
        "DISTRIBUTOR AGREEMENT. This Agreement is made by Ingram Micro Inc. and Netgear, Inc. "
        "By: /s/ J. Smith Title: Executive Vice President Date: October 16, 1996 "
        "By: /s/ P. Jones Title: Vice President Date: November 5, 1996. "
        "1. APPOINTMENT. Distributor shall distribute the products."
    )
    result = analyze_text(text)
    assert result["agreement_date"] == "1996-11-05"
    assert "November 5, 1996" in result["evidence"]["agreement_date"]


def test_a_date_column_above_its_label_in_a_signature_table() -> None:
    text = (
        "This Statement of Work is agreed between Bluefly Inc. and International Business Machines. "
        "Agreed and Accepted: By: /s/ Patrick Barry By: /s/ Maura Gray Authorized Signature Authorized "
        "Signature Patrick Barry 1/9/02 Maura Gray 1/14/02 Name (type or print) Date "
        "Name (type or print) Date"
    )
    assert analyze_text(text)["agreement_date"] == "2002-01-14"


def test_a_dated_field_far_from_any_signature_is_not_a_signing_date() -> None:
    text = (
        "This Agreement is made by A Inc. and B Ltd. " + "The parties shall cooperate. " * 80 + "EXHIBIT A "
        "Property Information Open Date: 2005-02-14 Title: Renovation plan"
    )
    assert analyze_text(text)["agreement_date"] is None


def test_an_opening_behind_a_cover_and_a_long_table_of_contents() -> None:
    contents = " ".join(f"{i}. Section heading number {i} ........ {i + 3}" for i in range(1, 250))
    text = (
        "MASTER SUPPLY AGREEMENT between Acme Corp. and Beta LLC\n\nTABLE OF CONTENTS " + contents + "\n\n"
        "This Master Supply Agreement is made and entered into as of June 1, 2005 by and between Acme Corp., "
        'a Delaware corporation ("Acme"), and Beta LLC, a Texas limited liability company ("Beta").\n\n'
        "WHEREAS, Acme makes widgets.\n\nIN WITNESS WHEREOF the parties have signed. By: /s/ A "
        "Date: June 3, 2005"
    )
    result = analyze_text(text)
    assert result["agreement_date"] == "2005-06-01"
    assert result["parties"] == ["Acme Corp.", "Beta LLC"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Entered into this twenty-first day of July, 1998 by Acme Inc. and Beta LLC.", "1998-07-21"),
        ("This Agreement is made this Thirtieth day of June 2001 between A Inc. and B Ltd.", "2001-06-30"),
        ("This Agreement is made this 7th day of July, 1998 between A Inc. and B Ltd.", "1998-07-07"),
        ("This Agreement is made this 1st day of June, A.D. 2000 between A Inc. and B LLC.", "2000-06-01"),
        ("This Agreement is made on the 1st of June, 2000 between A Inc. and B LLC.", "2000-06-01"),
        # The day in words and figures; a space before the comma of a PDF's text layer.
        ("This Agreement is made this second (2nd) day of May, 2003 between A Inc. and B LLC.", "2003-05-02"),
        ("This Agreement is made this 9th day of October , 2004 between A Inc. and B LLC.", "2004-10-09"),
        # A superscript ordinal suffix that a PDF's text layer puts on a line of its own.
        ("This Agreement is made this 4\nth day of March, 2002 between A Inc. and B LLC.", "2002-03-04"),
        ("This Agreement is made on June 1, in the year 2000 between A Inc. and B LLC.", "2000-06-01"),
        # Dots are the European day-first form; slashes and dashes month-first; year-first any separator.
        ("This Agreement is dated 01.06.2000 between A GmbH and B AG.", "2000-06-01"),
        ("This Agreement is dated 12-23-2019 between A Inc. and B LLC.", "2019-12-23"),
        ("This Agreement is dated 2000/06/01 between A Inc. and B LLC.", "2000-06-01"),
    ],
)
def test_date_forms(sentence: str, expected: str) -> None:
    assert analyze_text(sentence)["agreement_date"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This Maintenance Agreement is made by A Inc. and B Ltd. EFFECTIVE DATE shall mean the Date of "
         "Installation of the PSS in Kuwait, i.e. December 10, 1993. ERROR means any failure.", "1993-12-10"),
        ("MAINTENANCE ADDENDUM. COMMENCEMENT DATE FOR MAINTENANCE UNDER THIS ADDENDUM: MARCH 1, 2001",
         "2001-03-01"),
    ],
)  # fmt: skip
def test_effective_date_definitions_and_labels(text: str, expected: str) -> None:
    assert analyze_text(text)["effective_date"] == expected
