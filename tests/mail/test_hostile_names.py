"""Hostile files and names through the whole product: the loader, a real batch, export and email.

Special files (a FIFO, a socket, a link to /dev/zero) are rejected rows, never a hang or a read until
memory runs out; names that are not UTF-8 or hold CR/LF and terminal escapes run, export and mail, shown
escaped in text and kept exactly in JSON.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from core.cli.report_text import report_text
from core.contracts.loader import load_paths
from tests.engine.test_cli import cli
from tests.mail.conftest import SmtpServer
from tests.mail.test_cli_mail import configure, run

CONTRACT = b"This Agreement is made on 1 March 2024 between Acme Inc. and Beta LLC. Term: two years."
NAMES = [b"bad\xff\xfename.txt", b"evil\nrejected x.txt: injected.txt", b"esc\x1b[31mred.txt",
         b"rtl\xe2\x80\xaegnp.txt"]


@pytest.mark.timeout(60)
def test_special_files_are_rejected_rows_not_hangs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    os.symlink(folder / "pipe.txt", folder / "link-to-pipe.pdf")
    os.symlink("/dev/zero", folder / "zero.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.txt"))
    (folder / "real.txt").write_bytes(CONTRACT)
    try:
        loaded = load_paths([folder, folder / "pipe.txt", tmp_path / "no such folder"])
    finally:
        server.close()
    reasons = {i.name: getattr(i, "reason", None) for i in loaded.items}
    assert reasons == {
        "link-to-pipe.pdf": "a named pipe (FIFO), not a file",
        "pipe.txt": "a named pipe (FIFO), not a file",
        "real.txt": None,
        "sock.txt": "a socket, not a file",
        "zero.txt": "a device, not a file",
        "no such folder": "file not found",
    }
    assert len(loaded.items) == 7  # the FIFO given directly appears again: nothing is dropped


def test_a_file_that_grows_past_the_limit_stops_at_it(tmp_path: Path) -> None:
    from core.contracts.files import NotARegularFile, read_regular_file

    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1000)
    assert read_regular_file(path, 1000) == b"x" * 1000
    with pytest.raises(NotARegularFile, match="too large"):
        read_regular_file(path, 999)


def test_odd_names_run_export_and_mail(
    tmp_path: Path, starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for raw in NAMES:
        Path(os.fsdecode(os.fsencode(folder) + b"/" + raw)).write_bytes(CONTRACT)
    out = tmp_path / "out"
    proc = cli("run", str(folder), "--wait", "--json", "--out", str(out), timeout=240)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # JSON keeps every name exactly, undecodable bytes included.
    assert sorted(c["name"] for c in report["contracts"]) == sorted(os.fsdecode(n) for n in NAMES)
    assert report["counts"]["succeeded"] == len(NAMES)
    for name in ("report.json", "report.pdf", "contracts.csv", "summary.html"):
        assert (out / name).stat().st_size > 0, name

    # Text shows them escaped: one line per contract, nothing a terminal would act on.
    text = report_text(report, every_contract=True)
    rows = text.split("\n\n", 1)[0].splitlines()[1:]  # the contract lines, before the summary
    assert len(rows) == len(NAMES), text
    assert "bad\\xff\\xfename.txt" in text and "evil\\nrejected x.txt" in text and "\x1b" not in text
    assert "\u202e" not in text
    csv_text = (out / "contracts.csv").read_text(encoding="utf-8")
    assert "bad\\xff\\xfename.txt" in csv_text and "\x1b" not in csv_text
    # The PDF is a whole document (it lists contracts that need attention, none here).
    subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, check=True)

    configure(starttls_server, ca_file, monkeypatch)
    sent = run("send", "--report-file", str(out / "report.json"))
    assert sent.exit_code == 0, sent.output
    [received] = starttls_server.handler.received
    assert b"\x1b" not in received.data and received.message()["Subject"]
