"""Loader: every format loads, every load-time rejection has a clear reason, multi-contract files split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.contracts.contract import Contract, LoadRejection
from core.contracts.loader import load_file, load_paths

from .conftest import CONTRACT_TEXT, SAMPLES


def _one(items: list) -> Contract | LoadRejection:
    assert len(items) == 1, items
    return items[0]


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [(".txt", "text/plain"), (".md", "text/markdown"), (".html", "text/html"), (".htm", "text/html")],
)
def test_text_formats_load(tmp_path: Path, suffix: str, media_type: str) -> None:
    path = tmp_path / f"contract{suffix}"
    path.write_text(CONTRACT_TEXT, encoding="utf-8")
    item = _one(load_file(path))
    assert isinstance(item, Contract)
    assert item.media_type == media_type
    assert item.name == path.name


def test_pdf_and_docx_load(tmp_path: Path, text_pdf: bytes, text_docx: bytes) -> None:
    (tmp_path / "a.pdf").write_bytes(text_pdf)
    (tmp_path / "b.docx").write_bytes(text_docx)
    result = load_paths([tmp_path])
    assert [c.name for c in result.contracts] == ["a.pdf", "b.docx"]
    assert not result.rejections


def test_json_list_splits_into_named_entries(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps([{"title": "A", "text": CONTRACT_TEXT}, 42, {"title": "B", "parties": "X; Y"}])
    )
    items = load_file(path)
    assert [i.name for i in items] == ["export.json#1", "export.json#2", "export.json#3"]
    assert isinstance(items[0], Contract) and items[0].media_type == "application/json"
    assert isinstance(items[1], LoadRejection) and "not a contract object" in items[1].reason
    assert json.loads(items[2].data) == {"title": "B", "parties": "X; Y"}


def test_json_single_object_and_wrapped_list(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"title": "A", "text": CONTRACT_TEXT}))
    assert isinstance(_one(load_file(single)), Contract)
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"contracts": [{"title": "A"}, {"title": "B"}]}))
    assert [i.name for i in load_file(wrapped)] == ["wrapped.json#1", "wrapped.json#2"]


def test_csv_rows_with_one_broken_row(tmp_path: Path) -> None:
    path = tmp_path / "contracts.csv"
    path.write_text(
        "Title,Party A,Party B,Effective Date,Governing Law,Text\n"
        'Supply,Acme Inc.,Globex LLC,2021-01-01,State of Texas,"multi\nline text"\n'
        "Broken,only,three\n"
        "\n"
        "License,Initech Ltd.,Umbrella plc,2022-02-02,England and Wales,\n",
        encoding="utf-8",
    )
    items = load_file(path)
    assert [i.name for i in items] == ["contracts.csv#row-1", "contracts.csv#row-2", "contracts.csv#row-3"]
    assert isinstance(items[0], Contract) and isinstance(items[2], Contract)
    assert isinstance(items[1], LoadRejection) and "3 fields" in items[1].reason
    assert json.loads(items[0].data)["Party A"] == "Acme Inc."


def test_csv_semicolon_and_unknown_header(tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text("title;effective_date\nA;2020-01-01\n")
    assert isinstance(_one(load_file(semi)), Contract)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("foo,bar\n1,2\n")
    assert "no recognised column" in _one(load_file(unknown)).reason


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\t\n", "empty file"),
        ("contract.rtf", b"{\\rtf1 hello}", "unsupported file type (.rtf)"),
        ("noext", b"hello", "unsupported file type (no extension)"),
        ("fake.pdf", b"This is plain text, not a PDF.", "content does not match its extension"),
        ("fake.docx", b"plain text", "content does not match its extension"),
        (
            "pdf-as.txt",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "content does not match its extension (.txt, but a PDF)",
        ),
        ("zip.docx", b"PK\x03\x04" + b"\x00" * 40, "corrupt or truncated DOCX"),
        ("bad.json", b'{"title": "unterminated', "corrupt JSON"),
        ("empty-list.json", b"[]", "no contracts in file"),
        ("scalar.json", b"42", "neither a contract object"),
        ("header-only.csv", b"title,parties\n", "no contracts in file"),
    ],
)
def test_load_rejections(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    item = _one(load_file(path))
    assert isinstance(item, LoadRejection)
    assert reason in item.reason
    assert item.source == str(path)


def test_docx_zip_without_word_document(tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not word")
    path = tmp_path / "archive.docx"
    path.write_bytes(buffer.getvalue())
    assert "without a Word document" in _one(load_file(path)).reason


def test_oversized_and_missing(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    assert "file too large" in _one(load_file(big, max_bytes=1024)).reason
    missing = tmp_path / "gone.txt"
    os.symlink(tmp_path / "nowhere", missing)
    assert _one(load_file(missing)).reason == "file not found"


def test_folders_sorted_hidden_skipped(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", ".hidden.txt", "sub/c.txt"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(CONTRACT_TEXT)
    names = [i.name for i in load_paths([tmp_path]).items]
    assert names == ["a.txt", "b.txt", "c.txt"]


def test_ready_samples_cover_every_outcome() -> None:
    result = load_paths([SAMPLES])
    suffixes = {Path(c.name.split("#")[0]).suffix for c in result.contracts}
    assert suffixes == {".pdf", ".docx", ".txt", ".html", ".md", ".json", ".csv"}
    reasons = {r.reason for r in result.rejections}
    assert "empty file" in reasons and any("unsupported" in r for r in reasons)


def test_docx_zip_bomb_refused_at_load(tmp_path: Path, zip_bomb_docx: bytes) -> None:
    import io
    import zipfile

    # Give the bomb a word/document.xml entry name so only its size gives it away.
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb_docx)
    with zipfile.ZipFile(io.BytesIO(zip_bomb_docx)) as archive:
        assert "word/document.xml" in archive.namelist()
    assert "zip bomb" in _one(load_file(path)).reason
