"""The Windows installer's icon (.ico; also .icns for macOS tools) from the committed PNG sizes, at build
time (Pillow). The app's own executables get theirs from PyInstaller, which converts the PNG itself.

    python packaging/make_icons.py ico|icns OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def main(kind: str, out: str) -> int:
    images = [Image.open(ICONS / f"contract-batch-manager-{size}.png").convert("RGBA") for size in SIZES]
    largest = images[-1]
    if kind == "ico":
        largest.save(out, format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])
    elif kind == "icns":
        largest.save(out, format="ICNS", append_images=images[:-1])
    else:
        raise SystemExit("kind is ico or icns")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
