"""Synthetic contracts for a first run: every supported format, known answers, and a few broken files.

Wording varies the way real contracts do (date styles, term written as a duration or an end date,
renewal clauses or none, several currencies and jurisdictions), so the samples exercise the analyzer
rather than one template. ``.answers.json`` beside the files lists each contract's known fields.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

FORMATS = ("pdf", "docx", "txt", "html", "md", "json", "csv")
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 10: "ten",
                 12: "twelve", 18: "eighteen", 24: "twenty-four", 30: "thirty", 45: "forty-five",
                 60: "sixty", 90: "ninety"}  # fmt: skip
_FIRST = (
    "Northwind", "Bluestone", "Harbor", "Crescent", "Summit", "Ironwood", "Meridian", "Pinecrest",
    "Silverline", "Redwood", "Oakridge", "Lakeshore", "Granite", "Evergreen", "Brightpath", "Cobalt",
)  # fmt: skip
_SECOND = ("Logistics", "Software", "Medical", "Energy", "Analytics", "Foods", "Robotics", "Media",
           "Capital", "Systems", "Pharma", "Networks", "Materials", "Labs")  # fmt: skip
_ENTITIES = (
    ("Inc.", "corporation"), ("LLC", "limited liability company"), ("Ltd.", "company"),
    ("Corp.", "corporation"), ("GmbH", "company"), ("S.A.", "company"), ("plc", "company"),
)  # fmt: skip
_PLACES = ("Delaware", "New York", "California", "Texas", "Ontario", "Bavaria", "Luxembourg", "Illinois")
# (as the clause writes it, the jurisdiction the analyzer reports: the place without "State of").
_LAWS = (
    ("State of New York", "New York"), ("State of Delaware", "Delaware"),
    ("State of California", "California"), ("England and Wales", "England and Wales"),
    ("Province of Ontario", "Ontario"), ("State of Texas", "Texas"),
    ("Federal Republic of Germany", "Germany"), ("Commonwealth of Massachusetts", "Massachusetts"),
    ("Republic of Singapore", "Singapore"), ("State of Illinois", "Illinois"),
)  # fmt: skip
_KINDS = (("SERVICES AGREEMENT", "services", "provide the services described in Exhibit A"),
          ("SOFTWARE LICENSE AGREEMENT", "license", "license the software described in Exhibit A"),
          ("SUPPLY AGREEMENT", "supply", "supply the products listed in Schedule 1"),
          ("DISTRIBUTION AGREEMENT", "distribution", "distribute the products in the Territory"),
          ("CONSULTING AGREEMENT", "consulting", "provide consulting services as requested"),
          ("MASTER SERVICES AGREEMENT", "services", "perform work under statements of work"))  # fmt: skip
_ALIASES = {"services": ("Client", "Provider"), "license": ("Licensee", "Licensor"),
            "supply": ("Buyer", "Supplier"), "distribution": ("Supplier", "Distributor"),
            "consulting": ("Company", "Consultant")}  # fmt: skip
_CURRENCIES = (("USD", "$"), ("EUR", "EUR "), ("GBP", "£"))


@dataclass
class DemoContract:
    """One synthetic contract: its text (paragraphs) and the fields it was written with."""

    name: str
    paragraphs: list[str]
    answers: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)


def _words(n: int) -> str:
    word = _NUMBER_WORDS.get(n)
    return f"{word} ({n})" if word else str(n)


def _date_text(value: date, style: int) -> str:
    if style == 0:
        return f"{value:%B} {value.day}, {value.year}"
    if style == 1:
        return f"{value.day} {value:%B} {value.year}"
    suffix = "th" if 11 <= value.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(value.day % 10, "th")
    return f"the {value.day}{suffix} day of {value:%B}, {value.year}"


def _company(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    while True:
        suffix, entity = rng.choice(_ENTITIES)
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {suffix}"
        if name.split(maxsplit=1)[0] not in {u.split()[0] for u in used}:
            used.add(name)
            return name, entity, rng.choice(_PLACES)


def make_contract(rng: random.Random, index: int) -> DemoContract:
    title, kind, purpose = rng.choice(_KINDS)
    alias_a, alias_b = _ALIASES.get(kind, ("Customer", "Supplier"))
    used: set[str] = set()
    party_a, entity_a, place_a = _company(rng, used)
    party_b, entity_b, place_b = _company(rng, used)
    signed = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 365 * 7))
    effective = signed if rng.random() < 0.7 else signed + timedelta(days=rng.choice((1, 10, 15, 30)))
    style = rng.randrange(3)
    law, law_answer = rng.choice(_LAWS)
    years = rng.choice((1, 2, 3, 5))
    auto = rng.random() < 0.55
    renewal_years = rng.choice((1, 2)) if auto else None
    notice_days = rng.choice((30, 60, 90)) if auto else None
    currency, symbol = rng.choice(_CURRENCIES)
    amount = rng.randrange(20, 2000) * 1000

    if effective == signed:
        opening = (
            f'This {title.title()} (the "Agreement") is made and entered into as of '
            f"{_date_text(signed, style)} "
            f'(the "Effective Date") by and between {party_a}, a {place_a} {entity_a} ("{alias_a}"), and '
            f'{party_b}, a {place_b} {entity_b} ("{alias_b}").'
        )
    else:
        opening = (
            f'This {title.title()} (the "Agreement") is dated {_date_text(signed, style)} and is made by and '
            f'between {party_a}, a {place_a} {entity_a} ("{alias_a}"), and {party_b}, a {place_b} {entity_b} '
            f'("{alias_b}"). The "Effective Date" means {_date_text(effective, style)}.'
        )
    end_by_date = rng.random() < 0.3
    expiration = effective + relativedelta(years=years)
    if end_by_date:
        expiration = expiration - timedelta(days=1)
        term_sentence = (
            f"The term of this Agreement shall commence on the Effective Date and continue until "
            f"{_date_text(expiration, 0)}, unless terminated earlier in accordance with Section 6."
        )
        term = None
    else:
        unit = "year" if years == 1 else "years"
        term_sentence = (
            f"The initial term of this Agreement shall be {_words(years)} {unit} from the Effective Date "
            f'(the "Initial Term"), unless terminated earlier in accordance with Section 6.'
        )
        term = f"{years} year{'s' if years > 1 else ''}"
    if auto and renewal_years is not None:
        unit = "year" if renewal_years == 1 else "years"
        renewal_sentence = (
            f"Thereafter this Agreement shall automatically renew for successive "
            f"{_words(renewal_years)} {unit} "
            f"renewal terms unless either party gives written notice of non-renewal at least "
            f"{_words(notice_days or 0)} days prior to the end of the then-current term."
        )
    else:
        renewal_sentence = "This Agreement may be renewed only by mutual written agreement of the parties."
    money = f"{symbol}{amount:,.0f}"
    paragraphs = [
        title,
        opening,
        f"1. Purpose. {alias_b} agrees to {purpose} for {alias_a} on the terms of this Agreement.",
        f"2. Term. {term_sentence} {renewal_sentence}",
        f"3. Fees. In consideration of the services, {alias_a} shall pay {alias_b} a total contract value of "
        f"{money}, invoiced monthly in arrears and payable within thirty (30) days of receipt of invoice.",
        "4. Confidentiality. Each party shall keep the other party's Confidential Information confidential "
        "for a period of three (3) years after termination.",
        f"5. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of "
        f"{'the ' if ' of ' in law else ''}{law}, without regard to its conflict of laws principles.",
        "6. Termination. Either party may terminate this Agreement upon a material breach by the other party "
        "that remains uncured thirty (30) days after written notice.",
        f"IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date. {party_a} "
        f"By: ____________ {party_b} By: ____________",
    ]
    answers = {
        "title": title,
        "contract_type": kind,
        "parties": [party_a, party_b],
        "agreement_date": signed.isoformat(),
        "effective_date": effective.isoformat(),
        "expiration_date": expiration.isoformat(),
        "term": term,
        "auto_renewal": auto,
        "renewal_term": f"{renewal_years} year{'s' if (renewal_years or 0) > 1 else ''}" if auto else None,
        "notice_period_days": notice_days,
        "governing_law": law_answer,
        "value": {"amount": float(amount), "currency": currency},
    }
    return DemoContract(name=f"contract-{index:03d}", paragraphs=paragraphs, answers=answers)


def _pdf_bytes(contract: DemoContract) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    buffer = io.BytesIO()
    # invariant=1: no timestamp or random ID in the file, so a seed gives the same bytes.
    document = SimpleDocTemplate(buffer, pagesize=A4, title=contract.paragraphs[0], invariant=1)
    styles = getSampleStyleSheet()
    story: list[Any] = [Paragraph(html.escape(contract.paragraphs[0]), styles["Title"])]
    for paragraph in contract.paragraphs[1:]:
        story += [Paragraph(html.escape(paragraph), styles["BodyText"]), Spacer(1, 6)]
    document.build(story)
    return buffer.getvalue()


def _docx_bytes(contract: DemoContract) -> bytes:
    from datetime import datetime

    import docx

    document = docx.Document()
    document.core_properties.created = datetime(2024, 1, 1)
    document.core_properties.modified = datetime(2024, 1, 1)
    document.add_heading(contract.paragraphs[0], level=1)
    for paragraph in contract.paragraphs[1:]:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx stamps each zip entry with the current time; fixed stamps make a seed give the same bytes.
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), source.read(info)
            )
    return fixed.getvalue()


def _html_bytes(contract: DemoContract) -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in contract.paragraphs[1:])
    page = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(contract.paragraphs[0])}'
        f"</title><style>body{{font-family:serif}}</style></head>\n<body><h1>{html.escape(contract.paragraphs[0])}"
        f"</h1>\n{body}\n</body></html>\n"
    )
    return page.encode("utf-8")


def _entry(contract: DemoContract, structured: bool) -> dict[str, Any]:
    """A JSON/CSV entry: either the contract's text, or an export's columns with no text at all."""
    if not structured:
        return {
            "id": contract.name,
            "title": contract.paragraphs[0],
            "text": "\n\n".join(contract.paragraphs),
        }
    a = contract.answers
    return {
        "id": contract.name,
        "title": a["title"],
        "type": a["contract_type"],
        "date": a["agreement_date"],
        "party_a": a["parties"][0],
        "party_b": a["parties"][1],
        "effective_date": a["effective_date"],
        "end_date": a["expiration_date"],
        "term": a["term"] or "",
        "renewal_term": a["renewal_term"] or "",
        "auto_renewal": "yes" if a["auto_renewal"] else "no",
        "notice_days": a["notice_period_days"] or "",
        "governing_law": a["governing_law"],
        "value": a["value"]["amount"],
        "currency": a["value"]["currency"],
    }


def broken_files() -> dict[str, bytes]:
    """Files that must be rejected, one per common reason, so a new user sees what a rejection looks like."""
    return {
        "broken-corrupt.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n% truncated",
        "broken-empty.txt": b"",
        "broken-unsupported.rtf": b"{\\rtf1\\ansi This contract was saved as RTF, which is not supported.}",
    }


def write_demo(out_dir: Path, *, count: int = 12, seed: int = 0, broken: bool = True) -> list[Path]:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    contracts = [make_contract(rng, i + 1) for i in range(count)]
    written: list[Path] = []
    answers: dict[str, Any] = {}
    json_entries: list[tuple[DemoContract, dict[str, Any]]] = []
    csv_entries: list[tuple[DemoContract, dict[str, Any]]] = []
    for index, contract in enumerate(contracts):
        kind = FORMATS[index % len(FORMATS)]
        text = "\n\n".join(contract.paragraphs)
        if kind == "json":
            json_entries.append((contract, _entry(contract, structured=len(json_entries) % 2 == 1)))
            continue
        if kind == "csv":
            csv_entries.append((contract, _entry(contract, structured=len(csv_entries) % 2 == 0)))
            continue
        name = f"{contract.name}.{kind}"
        writers: dict[str, Callable[[Any], bytes]] = {
            "pdf": _pdf_bytes,
            "docx": _docx_bytes,
            "html": _html_bytes,
            "txt": lambda c: "\n\n".join(c.paragraphs).encode("utf-8"),
            "md": lambda c: ("# " + c.paragraphs[0] + "\n\n" + "\n\n".join(c.paragraphs[1:])).encode("utf-8"),
        }
        data = writers[kind](contract)
        del text
        (out_dir / name).write_bytes(data)
        written.append(out_dir / name)
        answers[name] = contract.answers
    if json_entries:
        path = out_dir / "contracts.json"
        path.write_text(json.dumps([e for _, e in json_entries], indent=2) + "\n", encoding="utf-8")
        written.append(path)
        for number, (contract, _) in enumerate(json_entries, start=1):
            answers[f"{path.name}#{number}"] = contract.answers
    if csv_entries:
        path = out_dir / "contracts.csv"
        columns: list[str] = []
        for _, entry in csv_entries:
            columns += [key for key in entry if key not in columns]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for _, entry in csv_entries:
                writer.writerow(entry)
        written.append(path)
        for number, (contract, _) in enumerate(csv_entries, start=1):
            answers[f"{path.name}#row-{number}"] = contract.answers
    if broken:
        for name, data in broken_files().items():
            (out_dir / name).write_bytes(data)
            written.append(out_dir / name)
    # Hidden (leading dot), so analyzing the folder does not take the answers for a contract.
    answers_path = out_dir / ".answers.json"
    answers_path.write_text(json.dumps(answers, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(answers_path)
    return written
