"""The one place that finds ``resources/`` (icons, desktop entry, sample contracts): in a source checkout,
in an installed wheel next to the package, and in a PyInstaller build (``sys._MEIPASS``)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

ICON_SIZES: tuple[int, ...] = (16, 32, 48, 64, 128, 256)
ICON_STEM = "contract-batch-manager"


@cache
def resources_dir() -> Path:
    candidates: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        # PyInstaller unpacks data files under _MEIPASS; the spec file copies resources/ there.
        candidates.append(Path(frozen) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here.parent / "resources", here / "resources"]
    for candidate in candidates:
        if (candidate / "icons").is_dir() or (candidate / "samples").is_dir():
            return candidate
    return candidates[0]


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def icon_paths() -> list[Path]:
    """The PNG sizes that exist, then the SVG source (Qt picks the best size per use)."""
    icons = resource("icons")
    found = [icons / f"{ICON_STEM}-{size}.png" for size in ICON_SIZES]
    found = [p for p in found if p.is_file()]
    svg = icons / f"{ICON_STEM}.svg"
    return [*found, svg] if svg.is_file() else found


def samples_dir() -> Path:
    return resource("samples")
