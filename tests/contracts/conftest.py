"""Fixtures for the analysis tests: real CUAD files, synthetic contracts, and hostile documents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUAD = ROOT.parent / "shared" / "contracts" / "cuad"
SAMPLES = ROOT / "resources" / "samples"

CONTRACT_TEXT = (
    "MASTER SERVICES AGREEMENT\n\n"
    'This Master Services Agreement (the "Agreement") is made and entered into as of March 3, 2021 '
    '(the "Effective Date") by and between Acme Widgets, Inc., a Delaware corporation ("Customer"), and '
    'Globex Services LLC, a New York limited liability company ("Provider").\n\n'
    "2. Term. The initial term of this Agreement shall be three (3) years from the Effective Date. "
    "Thereafter this Agreement shall automatically renew for successive one (1) year terms unless either "
    "party gives written notice of non-renewal at least sixty (60) days prior to the end of the then-current "
    "term.\n\n"
    "3. Fees. Customer shall pay Provider a total contract value of $1,250,000.\n\n"
    "9. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the "
    "State of New York, without regard to its conflict of laws principles.\n"
)


@pytest.fixture(scope="session")
def cuad_dir() -> Path:
    if not (CUAD / "ground_truth.json").exists():
        pytest.skip(f"CUAD corpus not found at {CUAD}")
    return CUAD


@pytest.fixture
def contract_text() -> str:
    return CONTRACT_TEXT


def _pdf(draw: Callable[[object], None], **canvas_options: object) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1, **canvas_options)
    draw(pdf)
    pdf.save()
    return buffer.getvalue()


def _draw_text(text: str) -> Callable[[object], None]:
    def draw(pdf: object) -> None:
        y = 800
        for line in text.splitlines():
            for start in range(0, max(len(line), 1), 95):
                pdf.drawString(40, y, line[start : start + 95])  # type: ignore[attr-defined]
                y -= 14

    return draw


@pytest.fixture(scope="session")
def text_pdf() -> bytes:
    return _pdf(_draw_text(CONTRACT_TEXT))


@pytest.fixture(scope="session")
def encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt

    return _pdf(_draw_text(CONTRACT_TEXT), encrypt=pdfencrypt.StandardEncryption("secret", "owner"))


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    """Pages with only drawings, as a scan without OCR looks to a text extractor."""

    def draw(pdf: object) -> None:
        pdf.rect(50, 50, 400, 600, fill=1)  # type: ignore[attr-defined]
        pdf.showPage()  # type: ignore[attr-defined]
        pdf.circle(200, 400, 100, fill=1)  # type: ignore[attr-defined]

    return _pdf(draw)


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Signed by Customer"
    table.cell(0, 1).text = "Signed by Provider"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def text_docx() -> bytes:
    return make_docx(CONTRACT_TEXT.split("\n\n"))


@pytest.fixture(scope="session")
def zip_bomb_docx() -> bytes:
    """A DOCX whose document.xml inflates to 80 MB of one repeated byte (about 80 KB compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(80):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.contracts.demo import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(out, count=28, seed=11)
    return out
